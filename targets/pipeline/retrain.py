"""Retrain: train on the newest records, score on the golden set, promote only as good a model."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import time
from collections import deque
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
from aiohttp import web

from targets.common import flags
from targets.common import s3 as s3lib
from targets.common.drift import PSI_ALERT, RollingDrift, load_profile
from targets.common.http import metrics_response
from targets.common.jsonlog import log_event
from targets.common.metrics import Registry
from targets.common.net import nodelay_middleware
from targets.common.serve import ServeOptions, serve
from targets.inference.registry import get_bytes, publish, read_latest, version_name
from targets.model.build import onnx_accuracy, to_onnx, train
from targets.model.dataset import FEATURES
from targets.pipeline.flags import RetrainFlags

__all__ = ["Run", "Window", "main", "parse_batch", "read_window"]

NAMES = [name for name, _, _ in FEATURES]
RAW_PREFIX = "raw/"  # in bucket `records`; every region's prefix below it
MAX_RUNS = 50


def _record(line: bytes) -> tuple[list[float], int] | None:
    try:
        rec = json.loads(line)
        row = [rec[name] for name in NAMES]
        label = rec["label"]
    except (ValueError, KeyError, TypeError):  # not JSON, not an object, a field missing
        return None
    finite = all(type(v) in (int, float) and math.isfinite(v) for v in row)
    return (row, label) if finite and type(label) is int and label in (0, 1) else None


def parse_batch(body: bytes) -> tuple[np.ndarray, np.ndarray, int]:
    """Parse one JSONL batch into (X float32, y int64, unreadable line count); blanks are skipped."""
    rows, labels, bad = [], [], 0
    for line in body.splitlines():
        if not line.strip():
            continue
        parsed = _record(line)
        if parsed is None:
            bad += 1
            continue
        rows.append(parsed[0])
        labels.append(parsed[1])
    X = np.asarray(rows, dtype=np.float32).reshape(-1, len(NAMES))
    return X, np.asarray(labels, dtype=np.int64), bad


@dataclass(frozen=True)
class Window:
    """The newest records: features, labels, the objects they came from, new unreadable lines."""

    X: np.ndarray
    y: np.ndarray
    keys: frozenset[str]
    unreadable: int


def read_window(s3: Any, size: int, cache: dict[str, tuple[np.ndarray, np.ndarray]]) -> Window:
    """Read the newest `size` records under records/raw/ (all regions), newest by key name.

    Key names start with a 13-digit ms timestamp, so the name (not the region prefix) sorts them.
    Objects are immutable: `cache` keeps parsed ones, and unreadable lines count once."""
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket="records", Prefix=RAW_PREFIX):
        keys.extend(obj["Key"] for obj in page.get("Contents", []))
    keys.sort(key=lambda k: k.rsplit("/", 1)[-1], reverse=True)
    chosen, rows, unreadable = [], 0, 0
    for key in keys:
        if rows >= size:
            break
        if key not in cache:
            X, y, bad = parse_batch(get_bytes(s3, key, bucket="records") or b"")
            cache[key], unreadable = (X, y), unreadable + bad
        chosen.append(key)
        rows += len(cache[key][1])
    for stale in set(cache) - set(chosen):
        del cache[stale]
    parts = [cache[k] for k in reversed(chosen)] or [(np.zeros((0, len(NAMES))), np.zeros(0))]
    X = np.concatenate([p[0] for p in parts])[-size:].astype(np.float32)
    y = np.concatenate([p[1] for p in parts])[-size:].astype(np.int64)
    return Window(X, y, frozenset(chosen), unreadable)


@dataclass(frozen=True)
class Run:
    """One retrain attempt as /status lists it."""

    t: float
    trigger: str
    outcome: str  # promoted | rejected | failed | skipped
    reason: str
    trained_rows: int
    candidate_version: str | None = None
    candidate_accuracy: float | None = None
    serving_accuracy: float | None = None


class Retrainer:
    """The check loop and the runs; boto3 and training run on one worker thread, state on the loop."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        golden = np.load(args.golden)
        self.golden = (golden["X"].astype(np.float32), golden["y"].astype(np.int64))
        self.profile = load_profile(args.profile)
        self.stores = dict(args.publish)
        self.serving: dict[str, Any] = {}
        self.serving_accuracy: float | None = args.serving_accuracy
        self.runs: deque[Run] = deque(maxlen=MAX_RUNS)
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="retrain")
        self._cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._clients: dict[str, Any] = {}
        self._next_due = time.monotonic() + args.every_s
        self._drift_keys: frozenset[str] = frozenset()
        self._trained_keys: frozenset[str] = frozenset()
        self._store_failing = False
        self.draining = False
        self._metrics()

    def _metrics(self) -> None:
        r = self.registry = Registry()
        self.runs_total = r.counter("retrain_runs_total", "Retrain runs.", ("trigger", "outcome"))
        self.candidate = r.gauge("retrain_last_candidate_accuracy", "Last candidate's accuracy.")
        self.serving_gauge = r.gauge("retrain_serving_accuracy", "Serving model's accuracy.")
        self.records = r.gauge("retrain_records_read", "Readable records in the last window.")
        self.unreadable = r.counter("retrain_unreadable_lines_total", "Record lines skipped.")
        self.psi = r.gauge("retrain_window_psi_max", "Largest feature PSI of the window.")
        self.store_errors = r.counter("retrain_store_errors_total", "Failed record reads.")
        self.alert = r.gauge("quality_alert", "1 while a check fires.", ("check", "instance"))
        for check in ("candidate_rejected", "feature_drift"):
            self.alert.set(check, self.args.instance, value=0.0)
        self.unreadable.inc(amount=0.0)
        self.store_errors.inc(amount=0.0)

    def _s3(self, region: str, url: str) -> Any:
        if url not in self._clients:
            self._clients[url] = s3lib.client(url, region)
        return self._clients[url]

    def _own(self) -> Any:
        return self._s3(self.args.region, self.args.store)

    async def loop(self) -> None:
        """Check every --check-interval-s until cancelled; one run at a time."""
        while True:
            try:
                await self.check()
            except Exception as exc:  # a bug in one check must not end all later ones
                log_event("check_error", error=repr(exc))
            await asyncio.sleep(self.args.check_interval_s)

    async def check(self) -> None:
        """Read the window, update the drift alert and start a run when one is due."""
        loop = asyncio.get_running_loop()
        try:
            window = await loop.run_in_executor(self.worker, self._read)
        except Exception as exc:  # an unreachable store: count it, keep the last alert state
            self._store_error(exc)
            if self._trigger(None, 0.0) == "schedule":
                self._record(Run(time.time(), "schedule", "failed", f"store: {exc!r}", 0))
            return
        self._store_failing = False
        psi = self._window_psi(window)
        trigger = self._trigger(window, psi)
        if trigger is None:
            return
        run = await loop.run_in_executor(self.worker, self._run, window, trigger)
        self._record(run)

    def _read(self) -> Window:
        window = read_window(self._own(), self.args.window, self._cache)
        self._serving_accuracy()
        return window

    def _store_error(self, exc: Exception) -> None:
        self.store_errors.inc()
        if not self._store_failing:
            self._store_failing = True
            log_event("store_unreachable", url=self.args.store, error=repr(exc))

    def _window_psi(self, window: Window) -> float:
        self.records.set(value=len(window.y))
        if self.serving_accuracy is not None:
            self.serving_gauge.set(value=self.serving_accuracy)
        self.unreadable.inc(amount=window.unreadable)
        if len(window.y) < self.args.min_rows:
            return 0.0  # too few rows for a stable PSI: no alert either way
        drift = RollingDrift(self.profile, window=len(window.y))
        drift.add(window.X)
        psi = drift.psi_max()
        self.psi.set(value=round(psi, 6))
        self.alert.set("feature_drift", self.args.instance, value=float(psi >= PSI_ALERT))
        return psi

    def _trigger(self, window: Window | None, psi: float) -> str | None:
        if self.args.every_s > 0 and time.monotonic() >= self._next_due:
            self._next_due = time.monotonic() + self.args.every_s
            return "schedule"
        # One drift run per drifted window: the next needs a window of entirely new objects.
        drifted = window is not None and psi >= PSI_ALERT and self.args.on_drift
        if window is not None and drifted and not window.keys & self._drift_keys:
            self._drift_keys = window.keys
            return "drift"
        return None

    def _run(self, window: Window, trigger: str) -> Run:
        n = len(window.y)
        run = Run(round(time.time(), 3), trigger, "skipped", "", n)
        if n < self.args.min_rows:
            return replace(run, reason=f"{n} readable records < min-rows {self.args.min_rows}")
        if window.keys == self._trained_keys:  # same data, same model: do not churn versions
            return replace(run, reason="no new records since the last run")
        self._trained_keys = window.keys
        try:
            serving = self._serving_accuracy()
            model = to_onnx(train(window.X, window.y), len(NAMES))
            accuracy = round(onnx_accuracy(model, *self.golden), 6)
        except Exception as exc:  # e.g. one class only: sklearn refuses to fit
            return replace(run, outcome="failed", reason=f"training failed: {exc!r}")
        run = replace(
            run,
            candidate_version=version_name(model),
            candidate_accuracy=accuracy,
            serving_accuracy=serving,
        )
        if serving is not None and accuracy < serving - self.args.max_drop:
            why = f"accuracy {accuracy} < serving {serving} − max-drop {self.args.max_drop}"
            return replace(run, outcome="rejected", reason=why)
        return self._promote(run, model)

    def _promote(self, run: Run, model: bytes) -> Run:
        """Publish to every --publish registry; promoted when at least one took it."""
        failed: dict[str, str] = {}
        now = round(time.time(), 3)
        for region, url in self.stores.items():
            try:
                latest = publish(
                    self._s3(region, url),
                    model,
                    str(run.candidate_version),
                    holdout_accuracy=run.candidate_accuracy,
                    trained_rows=run.trained_rows,
                    published_at=now,
                )
            except Exception as exc:  # one region down must not keep the model from the others
                failed[region] = repr(exc)
                continue
            if region == self.args.region:
                self.serving = latest
        if len(failed) == len(self.stores):
            return replace(run, outcome="failed", reason=f"publish failed: {failed}")
        self.serving_accuracy = run.candidate_accuracy
        done = f"published to {len(self.stores) - len(failed)}/{len(self.stores)} registries"
        return replace(
            run, outcome="promoted", reason=done + (f"; failed {failed}" if failed else "")
        )

    def _serving_accuracy(self) -> float | None:
        """Own registry's latest.json when readable, else the last promoted or --serving-accuracy."""
        try:
            latest = read_latest(self._own())
        except Exception:  # the pointer is best effort; the known figure still guards promotion
            latest = None
        if latest is not None and isinstance(latest.raw.get("holdout_accuracy"), int | float):
            self.serving = latest.raw
            self.serving_accuracy = float(latest.raw["holdout_accuracy"])
        return self.serving_accuracy

    def _record(self, run: Run) -> None:
        self.runs.append(run)
        self.runs_total.inc(run.trigger, run.outcome)
        if run.candidate_accuracy is not None:
            self.candidate.set(value=run.candidate_accuracy)
        if run.outcome in ("promoted", "rejected"):
            rejected = float(run.outcome == "rejected")
            self.alert.set("candidate_rejected", self.args.instance, value=rejected)
        log_event("retrain_run", **asdict(run))

    def status(self) -> dict[str, Any]:
        """Return the /status body: what is served and the recent runs, oldest first."""
        return {"serving": self.serving, "runs": [asdict(run) for run in self.runs]}


RETRAINER = web.AppKey("retrainer", Retrainer)


async def _status(request: web.Request) -> web.StreamResponse:
    return web.json_response(request.app[RETRAINER].status())


async def _metrics_handler(request: web.Request) -> web.StreamResponse:
    return metrics_response(request.app[RETRAINER].registry)


async def _healthz(request: web.Request) -> web.StreamResponse:
    return web.json_response({"status": "ok", "instance": request.app[RETRAINER].args.instance})


async def _readyz(request: web.Request) -> web.StreamResponse:
    ready = not request.app[RETRAINER].draining
    return web.json_response({"ready": ready}, status=200 if ready else 503)


async def _background(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(app[RETRAINER].loop())
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    app[RETRAINER].worker.shutdown(wait=False, cancel_futures=True)


def build_app(retrainer: Retrainer) -> web.Application:
    """Wire /status, /metrics, /healthz, /readyz and the check loop."""
    app = web.Application(middlewares=[nodelay_middleware])
    app[RETRAINER] = retrainer
    app.router.add_get("/status", _status)
    app.router.add_get("/metrics", _metrics_handler)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _readyz)
    app.cleanup_ctx.append(_background)
    return app


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = flags.parser(RetrainFlags, "python -m targets.pipeline.retrain", __doc__)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Serve retrain until SIGTERM/SIGINT and return the exit code."""
    args = _parse_args(argv)
    retrainer = Retrainer(args)
    opts = ServeOptions(
        service="retrain",
        host=args.host,
        port=args.port,
        drain_grace_s=args.drain_grace_s,
        ready_fields={"instance": args.instance, "region": args.region},
    )

    def drain() -> None:
        retrainer.draining = True

    return asyncio.run(serve(build_app(retrainer), opts, on_drain=drain))


if __name__ == "__main__":
    raise SystemExit(main())
