"""HTTP plumbing shared by target servers: request metrics middleware and JSON error replies."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from targets.common.metrics import Registry

__all__ = ["HttpMetrics", "json_error", "metrics_response"]

PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_error(status: int, message: str, **fields: Any) -> web.Response:
    """Build a JSON error reply `{"error": message, ...}` with the given status."""
    return web.json_response({"error": message, **fields}, status=status)


def metrics_response(registry: Registry) -> web.Response:
    """Build a reply carrying the registry in Prometheus text exposition format 0.0.4."""
    return web.Response(
        body=registry.render().encode(), headers={"Content-Type": PROMETHEUS_CONTENT_TYPE}
    )


class HttpMetrics:
    """Count requests by path and code; time and gauge the one path that does the real work."""

    def __init__(
        self, registry: Registry, prefix: str, paths: tuple[str, ...], timed_path: str = "/predict"
    ) -> None:
        self.paths = frozenset(paths)
        self.timed_path = timed_path
        self.requests = registry.counter(
            f"{prefix}_http_requests_total",
            "HTTP requests by path and status code.",
            ("path", "code"),
        )
        self.latency = registry.histogram(
            f"{prefix}_predict_latency_seconds", f"Latency of {timed_path} requests in seconds."
        )
        self.in_flight = registry.gauge(
            f"{prefix}_in_flight_requests", f"{timed_path} requests being served now."
        )

    @property
    def in_flight_now(self) -> int:
        """Return how many timed-path requests are being served."""
        return int(self.in_flight.get())

    def middleware(self) -> Middleware:
        """Return an aiohttp middleware that records every request."""

        @web.middleware
        async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
            path = request.path if request.path in self.paths else "other"
            timed = path == self.timed_path
            start = time.perf_counter()
            if timed:
                self.in_flight.inc()
            code = 500
            try:
                response = await handler(request)
                code = response.status
                return response
            except web.HTTPException as exc:
                code = exc.status
                raise
            finally:
                self.requests.inc(path, str(code))
                if timed:
                    self.in_flight.dec()
                    self.latency.observe(time.perf_counter() - start)

        return record
