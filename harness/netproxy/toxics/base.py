"""The toxic contract: chunks, the stub a toxic pipes through, the base class and the registry."""

from __future__ import annotations

import asyncio
import random
from asyncio.trsock import TransportSocket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from harness.netproxy.channel import Channel, Waker
from harness.registry import Registry


@dataclass(frozen=True, slots=True)
class Chunk:
    """Bytes read in one go from a socket, stamped with the loop time they arrived."""

    data: bytes
    received: float


class Interrupted(Exception):
    """The stage's toxic is being updated or removed: return to the runner (after forwarding)."""


class Expired(Exception):
    """A `recv` deadline passed before a chunk arrived."""


class ToxicStub:
    """What a running toxic sees: an input and output chunk stream, a clock and its dice.

    Every wait races the interrupt; `send` does not, because bytes must never be dropped.
    """

    def __init__(self, inbox: Channel[Chunk], outbox: Channel[Chunk], rng: random.Random) -> None:
        self.input = inbox
        self.output = outbox
        self.rng = rng
        self.state: object | None = None  # per link and toxic; survives re-runs (limit_data)
        self.interrupted = False
        self.closed = False
        self.waker = Waker()

    @staticmethod
    def now() -> float:
        """Return the loop time, the clock chunk stamps use."""
        return asyncio.get_running_loop().time()

    async def recv(self, deadline: float | None = None) -> Chunk | None:
        """Return the next chunk, None at end of stream; raise Expired after `deadline`."""
        while True:
            if self.interrupted:
                raise Interrupted
            if self.input.ready():
                return self.input.pop()
            if deadline is not None and self.now() >= deadline:
                raise Expired
            self.input.on_data(self.waker)
            await self.waker.wait(deadline)

    async def send(self, chunk: Chunk) -> None:
        """Pass `chunk` on, waiting for room downstream (never interrupted)."""
        while not self.closed:
            target = self.output  # re-read: a removal may splice a new output in meanwhile
            if not target.full():
                target.push(chunk)
                return
            target.on_room(self.waker)
            await self.waker.wait()

    async def sleep_until(self, when: float) -> None:
        """Wait until loop time `when`; raise Interrupted if interrupted first."""
        while True:
            if self.interrupted:
                raise Interrupted
            if self.now() >= when:
                return
            await self.waker.wait(when)

    async def send_at(self, chunk: Chunk, when: float) -> None:
        """Deliver `chunk` at `when`, restamped; if interrupted first, send it now and re-raise."""
        try:
            await self.sleep_until(when)
        except Interrupted:
            await self.send(chunk)  # in-flight bytes are forwarded, never dropped
            raise
        await self.send(Chunk(chunk.data, max(when, chunk.received)))

    def interrupt(self) -> None:
        """Ask the running toxic to return to its runner at its next wait."""
        self.interrupted = True
        self.waker.poke()

    def close(self) -> None:
        """End the output stream; the connection then winds down as on EOF."""
        self.closed = True
        self.output.close()
        self.waker.poke()


class ToxicAttributes(BaseModel):
    """A toxic type's attributes under their API names and units; each defaults to zero."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Toxic:
    """One toxic type: built once from its attributes, then `pipe` transforms a chunk stream.

    Subclasses nest an `Attributes` model, convert API units in `__init__`, and may override the
    capability methods below; the runner decides (by toxicity) whether a toxic runs at all.
    """

    Attributes: ClassVar[type[ToxicAttributes]] = ToxicAttributes
    buffer_size: ClassVar[int] = 0  # chunks buffered in front of this toxic

    def __init__(self, attrs: ToxicAttributes) -> None:
        self.attrs = attrs

    async def pipe(self, stub: ToxicStub) -> None:
        """Move chunks from `stub.input` to `stub.output`; return when the stream ends."""
        raise NotImplementedError

    def new_state(self) -> object | None:
        """Capability: per-link state kept across re-runs of this toxic (None: stateless)."""
        return None

    def tweak_sockets(self, sockets: Sequence[TransportSocket]) -> None:
        """Capability: adjust both sockets of a connection when this toxic is rolled active."""

    def cleanup(self, stub: ToxicStub) -> None:
        """Capability: act on a link this toxic was active on as it is removed (may close it)."""


TOXICS: Registry[type[Toxic]] = Registry("toxic")


def register_toxic(kind: str) -> Callable[[type[Toxic]], type[Toxic]]:
    """Class decorator: register a toxic class under its Toxiproxy `type` name."""
    return TOXICS.register(kind)
