"""One direction of a proxied connection: a noop head, one stage per toxic, then the sink."""

from __future__ import annotations

import asyncio
import logging
import random
from asyncio.trsock import TransportSocket
from collections.abc import Callable, Sequence

from harness.netproxy.channel import Channel
from harness.netproxy.toxic_set import Direction, ToxicSpec
from harness.netproxy.toxics import Chunk, Interrupted, Toxic, ToxicStub
from harness.netproxy.toxics.noop import NoopToxic

log = logging.getLogger(__name__)

HEAD_BUFFER = 8  # chunks read ahead of the head stage before the socket stops being read
SINK_BUFFER = 1  # the writer drains it synchronously; back-pressure comes from the transport

SocketsFn = Callable[[], Sequence[TransportSocket]]

_NOOP = NoopToxic(NoopToxic.Attributes())


class Stage:
    """One toxic's place in a link: its stub, the spec it runs, and the task running it."""

    def __init__(
        self, link: Link, spec: ToxicSpec | None, inbox: Channel[Chunk], outbox: Channel[Chunk]
    ) -> None:
        self.link = link
        self.spec = spec
        self.stub = ToxicStub(inbox, outbox, link.rng)
        if spec is not None:
            self.stub.state = spec.toxic.new_state()
        self.removing = False
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run this stage's toxic in its own task."""
        self.task = asyncio.get_running_loop().create_task(self._run())
        self.task.add_done_callback(_log_failure)

    async def _run(self) -> None:
        active: Toxic | None = None
        while not self.removing:  # checked first: a removal may land before the first run
            toxic, active = self._roll()
            try:
                await toxic.pipe(self.stub)
            except Interrupted:
                continue  # updated (re-roll, run the new spec) or removed (leave below)
            self.stub.close()
            return
        await self._leave(active)

    def _roll(self) -> tuple[Toxic, Toxic | None]:
        # The only place toxicity is rolled: at stage start and at every restart.
        self.stub.interrupted = False
        spec = self.spec
        if spec is None or not self.link.rng.random() < spec.toxicity:
            return _NOOP, None
        spec.toxic.tweak_sockets(self.link.sockets())
        return spec.toxic, spec.toxic

    async def _leave(self, active: Toxic | None) -> None:
        """Clean up, flush what is buffered in front of this stage, then splice it out."""
        if active is not None:
            active.cleanup(self.stub)
        stub = self.stub
        while not stub.closed:
            if not stub.input.ready():
                # Empty input and no await until the splice: no chunk can be stranded.
                self.link.splice_out(self)
                return
            chunk = stub.input.pop()
            if chunk is None:
                stub.close()
                return
            await stub.send(chunk)


def _log_failure(task: asyncio.Task[None]) -> None:
    # A toxic bug must be visible: nothing else awaits stage tasks.
    if not task.cancelled() and task.exception() is not None:
        log.error("netproxy stage failed", exc_info=task.exception())


class Link:
    """Chains stages from a noop head and rewires them live as the proxy's toxics change."""

    def __init__(
        self,
        direction: Direction,
        specs: Sequence[ToxicSpec],
        rng: random.Random,
        sockets: SocketsFn,
    ) -> None:
        self.direction = direction
        self.rng = rng
        self.sockets = sockets
        self.head_input: Channel[Chunk] = Channel(HEAD_BUFFER)
        self.sink: Channel[Chunk] = Channel(SINK_BUFFER)
        self.stages = [Stage(self, None, self.head_input, self.sink)]
        self.started = False
        for spec in specs:
            self.add(spec)

    def start(self) -> None:
        """Start every stage's task."""
        self.started = True
        for stage in self.stages:
            stage.start()

    def close(self) -> None:
        """Cancel every stage (the sockets are closed by the connection)."""
        for stage in self.stages:
            if stage.task is not None:
                stage.task.cancel()

    def add(self, spec: ToxicSpec) -> None:
        """Append a stage for `spec`; chunks buffered in the old last stage flow through it."""
        last = self.stages[-1]
        stage = Stage(self, spec, Channel(spec.toxic.buffer_size), last.stub.output)
        self.stages.append(stage)
        if last.stub.closed:
            stage.stub.input.close()  # this direction already ended: let the new stage end too
        else:
            last.stub.output = stage.stub.input
            last.stub.waker.poke()
        if self.started:
            stage.start()

    def update(self, spec: ToxicSpec) -> None:
        """Restart the stage of `spec.name` with the new spec (its held chunk goes on at once)."""
        stage = self._find(spec.name)
        if stage is not None:
            stage.spec = spec
            stage.stub.interrupt()

    def remove(self, name: str) -> None:
        """Take the stage of `name` out once it has flushed its buffered chunks downstream."""
        stage = self._find(name)
        if stage is None:
            return
        if stage.task is None or stage.task.done():
            self.stages.remove(stage)
            return
        stage.removing = True
        stage.stub.interrupt()

    def splice_out(self, stage: Stage) -> None:
        """Point the stage before `stage` at its output and forget it (its input is empty)."""
        i = self.stages.index(stage)
        prev = self.stages[i - 1]
        prev.stub.output = stage.stub.output
        prev.stub.waker.poke()
        del self.stages[i]

    def _find(self, name: str) -> Stage | None:
        for stage in self.stages[1:]:
            if stage.spec is not None and stage.spec.name == name and not stage.removing:
                return stage
        return None
