"""A named proxy: its listener on 127.0.0.1, its toxics and its live connections."""

from __future__ import annotations

import asyncio
import logging
import os
import random

from harness.netproxy.addr import AddressError, bind_host, listen_port, normalize_listen
from harness.netproxy.connection import Connection, SocketEnd
from harness.netproxy.errors import ApiError
from harness.netproxy.toxic_set import ToxicSet

log = logging.getLogger(__name__)


class Proxy:
    """Forwards each accepted connection to `upstream` through the proxy's toxics."""

    def __init__(self, name: str, listen: str, upstream: str, rng: random.Random) -> None:
        self.name = name
        self.listen = listen  # rewritten to the bound address once started
        self.upstream = upstream  # kept verbatim; resolved per dial
        self.enabled = False
        self.toxics = ToxicSet()
        self.rng = rng
        self._server: asyncio.AbstractServer | None = None
        self._conns: set[Connection] = set()

    @property
    def connections(self) -> int:
        """How many client connections are open (including those still dialling)."""
        return len(self._conns)

    async def start(self) -> None:
        """Bind the listener (500 on failure, leaving the proxy disabled); no-op if running."""
        if self._server is not None:
            return
        try:
            port = listen_port(self.listen)
        except AddressError as exc:
            raise ApiError(str(exc), 500) from None
        loop, host = asyncio.get_running_loop(), bind_host()
        try:
            server = await loop.create_server(self._accept, host, port, reuse_address=True)
        except OSError as exc:
            reason = os.strerror(exc.errno).lower() if exc.errno else str(exc)
            raise ApiError(f"listen tcp {host}:{port}: bind: {reason}", 500) from None
        self._server = server
        self.listen = f"{host}:{server.sockets[0].getsockname()[1]}"
        self.enabled = True
        log.info("proxy %s listening on %s for %s", self.name, self.listen, self.upstream)

    async def stop(self) -> None:
        """Close the listener and every connection, returning once all sockets are closed."""
        if self._server is not None:
            self._server.close()  # closes the listening socket synchronously
            self._server = None
        conns = list(self._conns)
        for conn in conns:
            conn.abort()
        await asyncio.gather(*(conn.wait_closed() for conn in conns))
        self.enabled = False

    def differs(self, listen: str, upstream: str) -> bool:
        """Whether `listen` (as it would bind) or `upstream` differ from the current ones."""
        return normalize_listen(listen) != normalize_listen(self.listen) or (
            upstream != self.upstream
        )

    async def update(self, listen: str, upstream: str, enabled: bool) -> None:
        """Apply merged fields: restart on an address change, then start or stop as asked."""
        try:
            listen_port(listen)
        except AddressError as exc:
            raise ApiError(str(exc), 500) from None
        if self.differs(listen, upstream):
            await self.stop()
            self.listen, self.upstream = listen, upstream
        if enabled and not self.enabled:
            await self.start()
        elif not enabled and self.enabled:
            await self.stop()

    def _accept(self) -> SocketEnd:
        return SocketEnd(on_made=self._connected)

    def _connected(self, client: SocketEnd) -> None:
        if self._server is None:
            client.abort()  # accepted just before the listener closed: down means down
            return
        conn = Connection(client, self.upstream, self.toxics, self.rng, self._conns.discard)
        self._conns.add(conn)
        conn.start()
