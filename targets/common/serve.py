"""Run an aiohttp app on a TCP_NODELAY socket: ready line, signal handling, graceful drain."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from targets.common.jsonlog import log_event
from targets.common.net import listen_socket

__all__ = ["ServeOptions", "serve"]


@dataclass(frozen=True)
class ServeOptions:
    """Where to listen and how to stop: grace applies to SIGTERM only, SIGINT stops at once."""

    service: str
    host: str = "127.0.0.1"
    port: int = 0
    drain_grace_s: float = 0.0
    shutdown_timeout_s: float = 10.0
    ready_fields: dict[str, Any] = field(default_factory=dict)


class _Signals:
    """Turn SIGTERM/SIGINT into a queue of names; a second signal cuts the drain grace short."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._queue.put_nowait, sig.name)

    async def next(self, timeout: float | None = None) -> str | None:
        """Return the next signal's name, or None when timeout passes first."""
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None


async def serve(
    app: web.Application, opts: ServeOptions, on_drain: Callable[[], None] | None = None
) -> int:
    """Serve app until SIGTERM/SIGINT, drain, clean up and return the exit code (0)."""
    signals = _Signals(asyncio.get_running_loop())
    sock = listen_socket(opts.host, opts.port)
    runner = web.AppRunner(
        app, access_log=None, handle_signals=False, shutdown_timeout=opts.shutdown_timeout_s
    )
    try:
        await runner.setup()
        await web.SockSite(runner, sock).start()
        log_event(
            "ready",
            service=opts.service,
            host=opts.host,
            port=sock.getsockname()[1],
            pid=os.getpid(),
            **opts.ready_fields,
        )
        first = await signals.next()
        grace = opts.drain_grace_s if first == "SIGTERM" else 0.0
        log_event("draining", service=opts.service, signal=first, grace_s=grace)
        if on_drain is not None:
            on_drain()
        if grace > 0:
            # Keep serving during the grace so callers see readiness go false before refusals.
            await signals.next(timeout=grace)
    finally:
        # Closes the listener, waits for in-flight handlers (bounded), then runs app cleanup.
        await runner.cleanup()
        sock.close()
    log_event("stopped", service=opts.service, signal=first)
    return 0
