"""What ingest and the replicator share: common arguments, probes and the serve call."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from targets.common.http import metrics_response
from targets.common.jsonlog import log_event
from targets.common.metrics import Registry
from targets.common.net import nodelay_middleware
from targets.common.serve import ServeOptions, serve

__all__ = ["Probe", "run", "service_app"]


@dataclass
class Probe:
    """Who a service is and whether it is ready; `/healthz`, `/readyz` and `/metrics` read it."""

    service: str
    instance: str
    region: str
    registry: Registry = field(default_factory=Registry)
    started: bool = False  # set once the service's own store answered
    draining: bool = False

    def readiness(self) -> tuple[bool, str]:
        """Ready and why (not ready while draining or before the store first answered)."""
        if self.draining:
            return False, "draining"
        return (True, "ok") if self.started else (False, "store not reached yet")


PROBE = web.AppKey("probe", Probe)


async def _healthz(request: web.Request) -> web.StreamResponse:
    probe = request.app[PROBE]
    return web.json_response({"status": "ok", "instance": probe.instance, "region": probe.region})


async def _readyz(request: web.Request) -> web.StreamResponse:
    ready, reason = request.app[PROBE].readiness()
    return web.json_response({"ready": ready, "reason": reason}, status=200 if ready else 503)


async def _metrics(request: web.Request) -> web.StreamResponse:
    return metrics_response(request.app[PROBE].registry)


def service_app(
    probe: Probe,
    work: Callable[[], Coroutine[Any, Any, None]],
    close: Callable[[], None],
    middlewares: tuple[Middleware, ...] = (),
    **app_options: Any,
) -> web.Application:
    """An app with the probes routed, TCP_NODELAY on accepts, and `work` running beside it.

    `work` starts with the app and is cancelled at cleanup, then `close` runs (worker pools)."""

    async def background(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(work())
        yield
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        close()

    app = web.Application(middlewares=[nodelay_middleware, *middlewares], **app_options)
    app[PROBE] = probe
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _readyz)
    app.router.add_get("/metrics", _metrics)
    app.cleanup_ctx.append(background)
    return app


def run(app: web.Application, probe: Probe, args: argparse.Namespace, **ready: Any) -> int:
    """Serve `app` until SIGTERM/SIGINT; 2 when it cannot listen."""
    opts = ServeOptions(
        service=probe.service,
        host=args.host,
        port=args.port,
        drain_grace_s=args.drain_grace_s,
        ready_fields={"instance": probe.instance, "region": probe.region, **ready},
    )

    def drain() -> None:
        probe.draining = True

    try:
        return asyncio.run(serve(app, opts, on_drain=drain))
    except OSError as exc:
        log_event("error", service=probe.service, instance=probe.instance, error=repr(exc))
        print(f"{probe.service}: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
