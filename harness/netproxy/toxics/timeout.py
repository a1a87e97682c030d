"""The `timeout` toxic: drops all data and, if `timeout` > 0 ms, closes after that long idle."""

from __future__ import annotations

from harness.netproxy.toxics.base import Expired, Toxic, ToxicAttributes, ToxicStub, register_toxic


@register_toxic("timeout")
class TimeoutToxic(Toxic):
    """Every chunk re-arms the idle timer (as does each restart), like Toxiproxy's time.After."""

    class Attributes(ToxicAttributes):
        """`timeout` in integer milliseconds; 0 means never close."""

        timeout: int = 0

    def __init__(self, attrs: Attributes) -> None:
        super().__init__(attrs)
        self.timeout_s = attrs.timeout / 1000 if attrs.timeout > 0 else None

    async def pipe(self, stub: ToxicStub) -> None:
        """Swallow chunks; returning (so the runner closes the stream) on EOF or when idle."""
        while True:
            deadline = stub.now() + self.timeout_s if self.timeout_s is not None else None
            try:
                chunk = await stub.recv(deadline)
            except Expired:
                return
            if chunk is None:
                return

    def cleanup(self, stub: ToxicStub) -> None:
        """Close the link: the bytes dropped so far would otherwise corrupt the stream."""
        stub.close()
