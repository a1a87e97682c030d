"""One proxied connection: its client and upstream sockets and the two links between them."""

from __future__ import annotations

import asyncio
import logging
import random
import socket
from asyncio.trsock import TransportSocket
from collections.abc import Callable

from harness.netproxy.addr import AddressError, upstream_host, upstream_port
from harness.netproxy.channel import Channel
from harness.netproxy.link import Link
from harness.netproxy.toxic_set import Direction, ToxicSet
from harness.netproxy.toxics import Chunk

log = logging.getLogger(__name__)

READ_SIZE = 32 * 1024


class SocketEnd(asyncio.BufferedProtocol):
    """One socket: its reads feed one link's head, and it writes out another link's sink."""

    def __init__(self, on_made: Callable[[SocketEnd], None] | None = None) -> None:
        self.on_made = on_made
        self.transport: asyncio.Transport | None = None
        self.inbox: Channel[Chunk] | None = None
        self.outbox: Channel[Chunk] | None = None
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._view = memoryview(bytearray(READ_SIZE))
        self._writable = True
        self._done_writing = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Set TCP_NODELAY and hold reads until the links exist."""
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        # Nagle plus delayed ACK adds ~40 ms per small write, which would hide a latency fault.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        transport.pause_reading()
        # Python 3.11.2 (Debian bookworm's, so our images') starts reading just after
        # connection_made even when it paused; pause again once that has happened.
        asyncio.get_running_loop().call_soon(self._hold_reads)
        if self.on_made is not None:
            self.on_made(self)

    def _hold_reads(self) -> None:
        transport = self.transport
        if transport is not None and self.inbox is None and not transport.is_closing():
            transport.resume_reading()  # a no-op pair where the pause already holds
            transport.pause_reading()

    def attach(self, inbox: Channel[Chunk], outbox: Channel[Chunk]) -> None:
        """Start feeding `inbox` from the socket and writing `outbox` to it."""
        self.inbox, self.outbox = inbox, outbox
        if self.lost.done():
            inbox.close()  # the socket closed while the upstream was being dialled
        self.poke()

    def get_buffer(self, sizehint: int) -> memoryview:
        """Read at most READ_SIZE bytes per chunk, like Toxiproxy's io.Copy."""
        return self._view

    def buffer_updated(self, nbytes: int) -> None:
        """Stamp the bytes just read and push them into the link; stop reading when it is full."""
        assert self.inbox is not None and self.transport is not None
        loop_time = asyncio.get_running_loop().time()
        self.inbox.push(Chunk(bytes(self._view[:nbytes]), loop_time))
        if self.inbox.full():
            self.transport.pause_reading()
            self.inbox.on_room(self)

    def eof_received(self) -> bool:
        """End the link this socket feeds; keep the socket open for the other direction."""
        if self.inbox is not None:
            self.inbox.close()
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        """End the link this socket feeds and discard what is still queued for it."""
        if self.inbox is not None:
            self.inbox.close()
        if not self.lost.done():
            self.lost.set_result(None)
        self.poke()

    def pause_writing(self) -> None:
        """Stop draining the sink while the transport buffer is above its high-water mark."""
        self._writable = False

    def resume_writing(self) -> None:
        """Resume draining the sink."""
        self._writable = True
        self.poke()

    def poke(self) -> None:
        """Channel nudge: read again if the inbox has room, and write what the outbox holds."""
        transport = self.transport
        if transport is not None and self.inbox is not None and not self.inbox.full():
            transport.resume_reading()
        self._pump()

    def _pump(self) -> None:
        outbox, transport = self.outbox, self.transport
        if outbox is None or transport is None or self._done_writing:
            return
        gone = self.lost.done()
        while outbox.ready() and (self._writable or gone):
            chunk = outbox.pop()
            if chunk is None:
                # No half-close: the end of one direction closes this socket outright.
                self._done_writing = True
                transport.close()
                return
            if not gone:
                transport.write(chunk.data)
        outbox.on_data(self)

    def abort(self) -> None:
        """Close the socket at once, dropping unsent data."""
        if self.transport is not None:
            self.transport.abort()


class Connection:
    """Accept, dial the upstream, then run an upstream and a downstream link until both close."""

    def __init__(
        self,
        client: SocketEnd,
        upstream: str,
        toxics: ToxicSet,
        rng: random.Random,
        on_done: Callable[[Connection], None],
    ) -> None:
        self.client = client
        self.upstream_addr = upstream
        self.toxics = toxics
        self.rng = rng
        self.on_done = on_done
        self.upstream: SocketEnd | None = None
        self.links: list[Link] = []
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run the connection in its own task, so a slow dial never blocks accepting."""
        self.task = asyncio.get_running_loop().create_task(self._run())

    def abort(self) -> None:
        """Close both sockets at once and stop the connection's task."""
        self._abort_sockets()
        if self.task is not None:
            self.task.cancel()

    async def wait_closed(self) -> None:
        """Return once the task has ended and every socket is closed."""
        if self.task is not None:
            await asyncio.wait([self.task])
        ends = [e for e in (self.client, self.upstream) if e is not None]
        await asyncio.wait([end.lost for end in ends])

    async def _run(self) -> None:
        try:
            self.upstream = await self._dial()
            if self.upstream is None:
                # Toxiproxy semantics: the client saw its connect succeed, now it sees EOF.
                if self.client.transport is not None:
                    self.client.transport.close()
                return
            self._link(self.client, self.upstream)
            # wait, not gather: cancelling gather would cancel the `lost` futures themselves.
            await asyncio.wait([self.client.lost, self.upstream.lost])
        finally:
            for link in self.links:
                self.toxics.detach(link)
                link.close()
            self._abort_sockets()
            self.on_done(self)

    async def _dial(self) -> SocketEnd | None:
        loop = asyncio.get_running_loop()
        try:
            port = upstream_port(self.upstream_addr)
            host = upstream_host(self.upstream_addr)
            _, end = await loop.create_connection(SocketEnd, host, port)
        except (OSError, AddressError) as exc:
            log.info("upstream %s: dial failed: %s", self.upstream_addr, exc)
            return None
        return end

    def _link(self, client: SocketEnd, upstream: SocketEnd) -> None:
        # No await in here: the toxic snapshot and the attach must see the same toxic set.
        up = Link(
            Direction.UPSTREAM, self.toxics.chain(Direction.UPSTREAM), self.rng, self._sockets
        )
        down = Link(
            Direction.DOWNSTREAM, self.toxics.chain(Direction.DOWNSTREAM), self.rng, self._sockets
        )
        self.links = [up, down]
        client.attach(inbox=up.head_input, outbox=down.sink)
        upstream.attach(inbox=down.head_input, outbox=up.sink)
        for link in self.links:
            self.toxics.attach(link)
            link.start()

    def _abort_sockets(self) -> None:
        for end in (self.client, self.upstream):
            if end is not None:
                end.abort()

    def _sockets(self) -> list[TransportSocket]:
        ends = (self.client, self.upstream)
        return [e.transport.get_extra_info("socket") for e in ends if e and e.transport]
