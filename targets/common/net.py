"""Socket helpers: TCP_NODELAY on every socket a target listens on, accepts or opens."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from aiohappyeyeballs import AddrInfoType
from aiohttp import web

__all__ = ["listen_socket", "nodelay_middleware", "nodelay_socket_factory", "set_nodelay"]

# Why: without TCP_NODELAY a server that writes headers and body separately meets delayed ACK
# and answers at ~40 ms; that artifact would hide or double an injected latency fault.


def set_nodelay(sock: Any) -> None:
    """Turn Nagle's algorithm off on a TCP socket or asyncio TransportSocket (else no-op)."""
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    with contextlib.suppress(OSError):  # the peer may already have closed the connection
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def listen_socket(host: str, port: int, backlog: int = 1024) -> socket.socket:
    """Bind a listening TCP socket on host:port with TCP_NODELAY (Linux copies it to accepts)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        set_nodelay(sock)
        sock.bind((host, port))
        sock.listen(backlog)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def nodelay_socket_factory(addr_info: AddrInfoType) -> socket.socket:
    """Create an outgoing client socket with TCP_NODELAY set (aiohttp TCPConnector hook)."""
    family, type_, proto, _, _ = addr_info
    sock = socket.socket(family=family, type=type_, proto=proto)
    set_nodelay(sock)
    return sock


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def nodelay_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Set TCP_NODELAY on the accepted connection before any response byte is written."""
    transport = request.transport
    if transport is not None:
        set_nodelay(transport.get_extra_info("socket"))
    return await handler(request)
