"""The `latency` toxic: delivers each chunk `latency` ± `jitter` ms after the proxy read it."""

from __future__ import annotations

import random

from harness.netproxy.toxics.base import Toxic, ToxicAttributes, ToxicStub, register_toxic


@register_toxic("latency")
class LatencyToxic(Toxic):
    """Delay measured from receipt, so streaming throughput is not divided; stacks additively."""

    class Attributes(ToxicAttributes):
        """`latency` and `jitter` in integer milliseconds."""

        latency: int = 0
        jitter: int = 0

    buffer_size = 1024

    def __init__(self, attrs: Attributes) -> None:
        super().__init__(attrs)
        self.latency_s = attrs.latency / 1000
        self.jitter_s = max(0, attrs.jitter) / 1000

    def delay_s(self, rng: random.Random) -> float:
        """Draw one chunk's delay: latency plus uniform jitter in [-jitter, +jitter]."""
        if self.jitter_s <= 0:
            return self.latency_s
        return self.latency_s + rng.uniform(-self.jitter_s, self.jitter_s)

    async def pipe(self, stub: ToxicStub) -> None:
        """Hold each chunk until its due time; chunks keep their order."""
        while (chunk := await stub.recv()) is not None:
            await stub.send_at(chunk, chunk.received + self.delay_s(stub.rng))
