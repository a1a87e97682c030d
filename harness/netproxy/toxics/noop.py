"""The `noop` toxic: passes every chunk through untouched (also the head of every link)."""

from __future__ import annotations

from harness.netproxy.toxics.base import Toxic, ToxicStub, register_toxic


@register_toxic("noop")
class NoopToxic(Toxic):
    """Pass-through; a real registered type, and what a stage runs when toxicity rolls no."""

    async def pipe(self, stub: ToxicStub) -> None:
        """Forward chunks unchanged until the stream ends."""
        while (chunk := await stub.recv()) is not None:
            await stub.send(chunk)
