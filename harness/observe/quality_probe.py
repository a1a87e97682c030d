"""Scrape the stack's own checks: quality alerts, model swaps and rejections, retrain runs, lag.

Every instance's /metrics (and the retrain job's /status) is read in parallel every
`interval_s`; changes become events. A frozen or dead instance only misses its turn.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

from harness.clock import RunClock
from harness.events import (
    EventLog,
    ModelRejected,
    ModelRetrained,
    ModelSwapped,
    QualityAlert,
)
from harness.observe.prometheus import parse_metrics, select

REPORTED_OUTCOMES = ("promoted", "rejected", "failed")  # "skipped" runs are noise


@dataclass
class LagPoint:
    """The replication lag one replicator reported at `t`."""

    t: float
    instance: str
    lag_s: float
    pending: float


@dataclass
class _Seen:
    alerts: dict[str, bool] = field(default_factory=dict)
    version: str | None = None
    rejected: float = 0.0
    runs: int = 0


class QualityProbe:
    """Poll instances (name → base URL on 127.0.0.1) and turn what changed into events."""

    def __init__(
        self,
        targets: dict[str, str],
        retrain: dict[str, str],
        events: EventLog,
        clock: RunClock,
        interval_s: float = 0.25,
    ) -> None:
        self.targets = targets
        self.retrain = retrain
        self.events = events
        self.clock = clock
        self.interval_s = interval_s
        self.lag: list[LagPoint] = []
        self._seen: dict[str, _Seen] = {name: _Seen() for name in {**targets, **retrain}}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="quality-probe", daemon=True)
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="probe")
        self._first = True

    def start(self) -> None:
        """Take the current state as the starting point, then poll in the background."""
        self.poll()
        self._first = False
        self._thread.start()

    def stop(self) -> None:
        """Stop polling (one last poll first, so late alerts are not missed)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.poll()

    def poll(self) -> None:
        """Read every instance once."""
        jobs = [(n, u, "/metrics") for n, u in self.targets.items()]
        jobs += [(n, u, "/status") for n, u in self.retrain.items()]
        for (name, _url, path), body in zip(jobs, self._pool.map(_get, jobs), strict=True):
            if body is None:
                continue
            if path == "/metrics":
                self._metrics(name, body)
            else:
                self._status(name, body)

    def _metrics(self, name: str, text: str) -> None:
        seen, t = self._seen[name], self.clock()
        metrics = parse_metrics(text)
        for labels, value in select(metrics, "quality_alert"):
            check, firing = labels.get("check", "?"), value >= 1
            if seen.alerts.get(check, False) != firing and not (self._first and not firing):
                self.events.emit(QualityAlert(t, instance=name, check=check, firing=firing))
            seen.alerts[check] = firing
        serving = [lb["model_version"] for lb, v in select(metrics, "inference_model_info") if v]
        if serving and serving[0] != seen.version:
            if seen.version is not None:
                self.events.emit(ModelSwapped(t, instance=name, model_version=serving[0]))
            seen.version = serving[0]
        self._rejections(name, seen, metrics, t)
        for _, lag in select(metrics, "replicator_lag_seconds"):
            pending = sum(v for _, v in select(metrics, "replicator_pending_objects"))
            self.lag.append(LagPoint(t, name, lag, pending))

    def _rejections(self, name: str, seen: _Seen, metrics: Any, t: float) -> None:
        by_reason = select(metrics, "inference_model_rejected_total")
        total = sum(v for _, v in by_reason)
        if total > seen.rejected and not self._first:
            reasons = ", ".join(sorted(lb.get("reason", "?") for lb, v in by_reason if v))
            self.events.emit(ModelRejected(t, instance=name, reason=reasons))
        seen.rejected = max(seen.rejected, total)

    def _status(self, name: str, body: str) -> None:
        try:
            runs = json.loads(body).get("runs", [])
        except (ValueError, AttributeError):
            return
        seen = self._seen[name]
        if len(runs) < seen.runs:  # the job restarted (its region came back): a new history
            seen.runs = 0
        for run in runs[seen.runs :]:
            if run.get("outcome") not in REPORTED_OUTCOMES:
                continue
            t = float(run["t"]) - self.clock.t0 if "t" in run else self.clock()
            self.events.emit(
                ModelRetrained(
                    t,
                    instance=name,
                    outcome=str(run.get("outcome", "?")),
                    trigger=str(run.get("trigger", "?")),
                    candidate_version=run.get("candidate_version"),
                    candidate_accuracy=run.get("candidate_accuracy"),
                    serving_accuracy=run.get("serving_accuracy"),
                    reason=run.get("reason"),
                )
            )
        seen.runs = max(seen.runs, len(runs))


def _get(job: tuple[str, str, str]) -> str | None:
    _name, url, path = job
    try:
        resp = requests.get(url + path, timeout=0.5)
        return resp.text if resp.status_code == 200 else None
    except requests.RequestException:
        return None
