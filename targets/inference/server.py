"""Inference HTTP server: /predict, /healthz, /readyz, /metrics; drains on SIGTERM/spot notice."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from targets.common import flags
from targets.common.drift import load_profile
from targets.common.http import HttpMetrics, json_error, metrics_response
from targets.common.jsonlog import log_event
from targets.common.metrics import Registry
from targets.common.net import nodelay_middleware
from targets.common.serve import ServeOptions, serve
from targets.inference.flags import InferenceFlags
from targets.inference.model import InputError, OnnxModel, parse_rows, resolve_model_version
from targets.inference.poller import RegistryPoller
from targets.inference.quality import QualityChecks
from targets.inference.slot import ModelSlot, Serving
from targets.inference.termination import TerminationHandler

__all__ = ["InferenceState", "build_app", "main"]

PATHS = ("/predict", "/healthz", "/readyz", "/metrics")
MAX_BODY_BYTES = 16 * 1024 * 1024


@dataclass
class InferenceState:
    """Everything the handlers share: the model slot, who we are, and whether we are draining."""

    initial: Serving  # the model loaded at start; handlers read slot.current
    instance: str
    region: str
    service_time_s: float = 0.0
    max_rows: int = 10_000
    draining: bool = False
    drain_reason: str = "draining"  # what /readyz says: "draining" (SIGTERM) or "spot_notice"
    registry: Registry = field(default_factory=Registry)
    profile: dict[str, Any] | None = None
    drift_window: int = 200
    alert_hold_s: float = 10.0

    def __post_init__(self) -> None:
        self.http = HttpMetrics(self.registry, "inference", PATHS)
        self.rows = self.registry.counter("inference_rows_total", "Rows scored by the model.")
        self.ready = self.registry.gauge("inference_ready", "1 when /readyz answers 200.")
        self.ready.set(value=1.0)
        self.slot = ModelSlot(self.registry, self.initial, self.instance, self.region)
        self.quality = QualityChecks(
            self.registry, self.instance, self.profile, self.drift_window, self.alert_hold_s
        )
        self.poller: RegistryPoller | None = None
        self.termination: TerminationHandler | None = None

    def poll_registry(self, url: str, interval_s: float) -> None:
        """Poll the registry at `url` for new model versions once the app runs."""
        self.poller = RegistryPoller(
            self.slot,
            self.registry,
            url,
            self.region,
            interval_s,
            on_reject=self.quality.model_rejected,
        )

    def watch_spot(self, url: str, provider: str, interval_s: float) -> None:
        """Poll the spot metadata at `url` once the app runs; drain on the first notice."""
        self.termination = TerminationHandler(
            self.registry,
            url,
            provider,
            interval_s,
            on_notice=lambda: self.start_draining("spot_notice"),
        )

    def background(self) -> list[Coroutine[Any, Any, None]]:
        """Return the loops to run beside the handlers: quality ticks, registry and spot polls."""
        loops = [self.quality.run()]
        if self.poller is not None:
            loops.append(self.poller.run())
        if self.termination is not None:
            loops.append(self.termination.run())
        return loops

    def start_draining(self, reason: str = "draining") -> None:
        """Turn readiness false at once; requests keep being served until the listener closes."""
        if not self.draining:  # a SIGTERM after a spot notice keeps the first reason
            self.drain_reason = reason
        self.draining = True
        self.ready.set(value=0.0)


STATE = web.AppKey("state", InferenceState)


async def predict(request: web.Request) -> web.StreamResponse:
    """Score the rows in the body; 400 with a reason on any bad input."""
    state = request.app[STATE]
    try:
        X = parse_rows(await request.json(), state.slot.current.model.n_features, state.max_rows)
    except (InputError, ValueError) as exc:
        return json_error(400, str(exc) if isinstance(exc, InputError) else "body is not JSON")
    if state.service_time_s > 0:
        await asyncio.sleep(state.service_time_s)  # simulated model cost, does not block the loop
    serving = state.slot.current  # one snapshot: the model and its name always agree
    result = serving.model.predict(X)
    state.rows.inc(amount=len(result.labels))
    state.quality.observe(X)
    response = web.json_response(
        {
            "predictions": result.labels,
            "probabilities": result.probabilities,
            "model_version": serving.version,
            "instance": state.instance,
            "region": state.region,
        }
    )
    if state.draining:
        response.force_close()  # move keep-alive clients off this instance
    return response


async def healthz(request: web.Request) -> web.StreamResponse:
    """Answer 200 while the process lives."""
    return web.json_response({"status": "ok", "instance": request.app[STATE].instance})


async def readyz(request: web.Request) -> web.StreamResponse:
    """Answer 200 when the model is loaded and the server is not draining, else 503."""
    state = request.app[STATE]
    if state.draining:
        return web.json_response({"ready": False, "reason": state.drain_reason}, status=503)
    return web.json_response({"ready": True, "model_version": state.slot.current.version})


async def metrics(request: web.Request) -> web.StreamResponse:
    """Expose Prometheus text metrics."""
    return metrics_response(request.app[STATE].registry)


async def _background(app: web.Application) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(loop) for loop in app[STATE].background()]
    yield
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def build_app(state: InferenceState) -> web.Application:
    """Wire the handlers, the metrics middleware and the shared state into an app."""
    app = web.Application(
        client_max_size=MAX_BODY_BYTES, middlewares=[nodelay_middleware, state.http.middleware()]
    )
    app[STATE] = state
    app.router.add_post("/predict", predict)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.cleanup_ctx.append(_background)
    return app


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = flags.parser(InferenceFlags, "python -m targets.inference.server", __doc__)
    return p.parse_args(argv)


def _load_state(args: argparse.Namespace) -> InferenceState:
    version, sha = resolve_model_version(args.model, args.model_version)
    state = InferenceState(
        initial=Serving(OnnxModel(args.model), version, sha),
        instance=args.instance,
        region=args.region,
        service_time_s=max(0.0, args.service_time_ms) / 1000.0,
        max_rows=args.max_rows,
        profile=load_profile(args.profile) if args.profile else None,
        drift_window=args.drift_window,
        alert_hold_s=args.alert_hold_s,
    )
    if args.registry:
        state.poll_registry(args.registry, args.registry_poll_s)
    if args.spot_metadata:
        state.watch_spot(args.spot_metadata, args.spot_provider, args.spot_poll_s)
    return state


def main(argv: list[str] | None = None) -> int:
    """Load the model, serve until SIGTERM/SIGINT, and return the exit code."""
    args = _parse_args(argv)
    try:
        state = _load_state(args)
    except Exception as exc:
        log_event("error", service="inference", instance=args.instance, error=repr(exc))
        print(f"inference: cannot load model {args.model}: {exc}", file=sys.stderr)
        return 2
    opts = ServeOptions(
        service="inference",
        host=args.host,
        port=args.port,
        drain_grace_s=args.drain_grace_s,
        shutdown_timeout_s=args.drain_timeout_s,
        ready_fields={
            "instance": state.instance,
            "region": state.region,
            "model_version": state.initial.version,
            "n_features": state.initial.model.n_features,
            "registry": args.registry,
            "spot_metadata": args.spot_metadata,
            "spot_provider": args.spot_provider if args.spot_metadata else None,
        },
    )
    try:
        return asyncio.run(serve(build_app(state), opts, on_drain=state.start_draining))
    except OSError as exc:
        log_event("error", service="inference", instance=args.instance, error=repr(exc))
        print(f"inference: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
