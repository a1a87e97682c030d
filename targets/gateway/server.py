"""Gateway HTTP server: any POST routed by policy with retries; /healthz, /readyz, /state, /metrics.

Every POST path (with its query) goes to the chosen instance at the same path, so a service
speaking any HTTP protocol sits behind it; every answer says which region and instance served
it in X-Harness-* headers (and, on our /predict, in its JSON body too).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from targets.common import flags
from targets.common.http import HttpMetrics, json_error, metrics_response
from targets.common.jsonlog import log_event
from targets.common.metrics import Registry
from targets.common.net import nodelay_middleware, nodelay_socket_factory
from targets.common.serve import ServeOptions, serve
from targets.gateway.config import ConfigError, GatewayConfig, load_config
from targets.gateway.flags import GatewayFlags
from targets.gateway.health import health_loop, log_transition
from targets.gateway.policies import make_policy
from targets.gateway.pool import Pool
from targets.gateway.upstream import Attempt, Outcome, Request, forward, merge_reply

__all__ = ["GatewayState", "build_app", "main"]

PATHS = ("/predict", "/healthz", "/readyz", "/state", "/metrics")
MAX_BODY_BYTES = 16 * 1024 * 1024
REGION_HEADER, INSTANCE_HEADER, ATTEMPTS_HEADER = (
    "X-Harness-Region",
    "X-Harness-Instance",
    "X-Harness-Attempts",
)


@dataclass
class GatewayState:
    """Pool, policy, upstream session and metrics shared by the handlers."""

    config: GatewayConfig
    registry: Registry = field(default_factory=Registry)
    session: aiohttp.ClientSession | None = None
    draining: bool = False
    failovers: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.pool = Pool(self.config)
        self.policy = make_policy(self.config.architecture, self.pool)
        self.http = HttpMetrics(self.registry, "gateway", PATHS)
        self.upstream = self.registry.counter(
            "gateway_upstream_requests_total",
            "Attempts against upstream instances by outcome.",
            ("instance", "region", "outcome"),
        )
        self.failover_count = self.registry.counter(
            "gateway_failovers_total", "Times the active region changed."
        )
        self.healthy_gauge = self.registry.gauge(
            "gateway_instance_healthy",
            "1 when the gateway routes to the instance.",
            ("instance", "region"),
        )
        self.active_gauge = self.registry.gauge(
            "gateway_region_active", "1 when the region takes traffic.", ("region",)
        )

    def on_region_change(self, previous: str, current: str) -> None:
        """Record and log a change of the active region (failover or failback)."""
        event = {"from": previous, "to": current, "t": round(time.time(), 6)}
        self.failovers.append(event)
        self.failover_count.inc()
        log_event("failover", **event)

    def region_active(self, region: str) -> bool:
        """Return True when the policy sends traffic to this region now."""
        active = self.policy.active_region
        if active is not None:
            return region == active
        return any(i.region == region for i in self.policy.routable())

    def record(self, outcome: Outcome) -> None:
        """Count every attempt by outcome and log instances ejected on the way."""
        for a in outcome.attempts:
            kind = "ok" if a.ok else "client_error" if a.client_error else "error"
            self.upstream.inc(a.instance.id, a.instance.region, kind)
        for inst in outcome.ejected:
            log_transition(inst)


STATE = web.AppKey("state", GatewayState)


async def predict(request: web.Request) -> web.StreamResponse:
    """Forward the POST to an instance chosen by the policy; 503 when none can serve."""
    state = request.app[STATE]
    assert state.session is not None, "session is created at startup"
    req = Request(
        await request.read(),
        request.path_qs,
        request.headers.get("Content-Type", "application/json"),
    )
    outcome = await forward(state.session, state.policy, req, state.config.retry)
    state.record(outcome)
    last, tries = outcome.last, len(outcome.attempts)
    headers = _served_by(last, tries, state.policy.active_region)
    if last is not None and last.ok and req.merges:
        return web.json_response(merge_reply(last, tries), headers=headers)
    if last is not None and (last.ok or last.client_error):
        headers["Content-Type"] = last.content_type or "application/json"
        return web.Response(status=last.status or 400, body=last.body, headers=headers)
    response = json_error(
        503,
        "no instance could serve the request",
        attempts=tries,
        failures=outcome.failures(),
        region=state.policy.active_region,
        instance=last.instance.id if last is not None else None,  # the last one tried
    )
    response.headers.update(headers)
    return response


def _served_by(last: Attempt | None, tries: int, active: str | None) -> dict[str, str]:
    """The X-Harness-* headers: the instance of the last attempt (empty when none was tried)."""
    return {
        REGION_HEADER: last.instance.region if last is not None else (active or ""),
        INSTANCE_HEADER: last.instance.id if last is not None else "",
        ATTEMPTS_HEADER: str(tries),
    }


async def healthz(request: web.Request) -> web.StreamResponse:
    """Answer 200 while the process lives."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.StreamResponse:
    """Answer 200 when not draining and the policy has a healthy instance to route to."""
    state = request.app[STATE]
    routable = any(i.healthy for i in state.policy.routable())
    ok = routable and not state.draining
    reason = None if ok else "draining" if state.draining else "no healthy instance"
    return web.json_response({"ready": ok, "reason": reason}, status=200 if ok else 503)


def state_view(state: GatewayState) -> dict[str, Any]:
    """Return the JSON view of routing state: architecture, active region, instance health."""
    regions = [
        {
            "name": name,
            "active": state.region_active(name),
            "healthy": any(i.healthy for i in insts),
            "instances": [i.snapshot() for i in insts],
        }
        for name, insts in state.pool.regions.items()
    ]
    return {
        "architecture": state.config.architecture,
        "active_region": state.policy.active_region,
        "regions": regions,
        "failovers": state.failovers,
        "draining": state.draining,
        "health_check": asdict(state.config.health_check),
        "retry": asdict(state.config.retry),
        "t": round(time.time(), 6),
    }


async def state_handler(request: web.Request) -> web.StreamResponse:
    """Expose routing state as JSON."""
    return web.json_response(state_view(request.app[STATE]))


async def metrics(request: web.Request) -> web.StreamResponse:
    """Expose Prometheus text metrics, health gauges refreshed from the pool."""
    state = request.app[STATE]
    for inst in state.pool.instances:
        state.healthy_gauge.set(inst.id, inst.region, value=float(inst.healthy))
    for name in state.pool.region_names:
        state.active_gauge.set(name, value=float(state.region_active(name)))
    return metrics_response(state.registry)


async def upstream_ctx(app: web.Application) -> AsyncIterator[None]:
    """Open the keep-alive upstream session and run health checks for the app's lifetime."""
    state = app[STATE]
    connector = aiohttp.TCPConnector(
        limit=1000, keepalive_timeout=30.0, socket_factory=nodelay_socket_factory
    )
    state.session = aiohttp.ClientSession(connector=connector)
    task = asyncio.create_task(
        health_loop(
            state.session,
            state.pool,
            state.policy,
            state.config.health_check,
            state.on_region_change,
        )
    )
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await state.session.close()


def build_app(state: GatewayState) -> web.Application:
    """Wire handlers, middlewares, state and the upstream lifecycle into an app."""
    app = web.Application(
        client_max_size=MAX_BODY_BYTES, middlewares=[nodelay_middleware, state.http.middleware()]
    )
    app[STATE] = state
    app.cleanup_ctx.append(upstream_ctx)
    app.router.add_post("/predict", predict)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/state", state_handler)
    app.router.add_get("/metrics", metrics)
    app.router.add_post("/{path:.*}", predict)  # any other protocol's path, passed through
    return app


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    return flags.parser(GatewayFlags, "python -m targets.gateway.server", __doc__).parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Load the config, serve until SIGTERM/SIGINT, and return the exit code."""
    args = _parse_args(argv)
    try:
        state = GatewayState(load_config(args.config))
    except ConfigError as exc:
        log_event("error", service="gateway", error=str(exc))
        print(f"gateway: bad config: {exc}", file=sys.stderr)
        return 2

    def start_draining() -> None:
        state.draining = True

    opts = ServeOptions(
        service="gateway",
        host=args.host,
        port=args.port,
        drain_grace_s=args.drain_grace_s,
        shutdown_timeout_s=args.drain_timeout_s,
        ready_fields={
            "architecture": state.config.architecture,
            "active_region": state.policy.active_region,
            "regions": state.pool.region_names,
            "instances": len(state.pool.instances),
        },
    )
    try:
        return asyncio.run(serve(build_app(state), opts, on_drain=start_draining))
    except OSError as exc:
        log_event("error", service="gateway", error=repr(exc))
        print(f"gateway: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
