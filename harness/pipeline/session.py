"""The pipeline side of a run: the feed and the probe while it runs, the audit at its end."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from harness.clock import RunClock
from harness.events import EventLog
from harness.observe.prometheus import parse_metrics, select
from harness.observe.quality_probe import LagPoint, QualityProbe
from harness.pipeline.audit import AuditResult, audit_stores
from harness.pipeline.feed import Ack, Feed, FeedStats
from harness.pipeline.records import stream_frame
from harness.scenario.plan import Plan
from harness.scenario.topology import INFERENCE, INGEST, REPLICATOR, RETRAIN
from harness.stack import RunningStack

SETTLE_MAX_S = 30.0


@dataclass
class PipelineOutcome:
    """What the pipeline side recorded: acknowledgements, feed counts, lag, and the audit."""

    acks: list[Ack] = field(default_factory=list)
    feed: FeedStats | None = None
    lag: list[LagPoint] = field(default_factory=list)
    audit: AuditResult | None = None
    audit_error: str | None = None


class PipelineSession:
    """Start the probe (always: inference has its own checks) and the feed (when planned)."""

    def __init__(self, plan: Plan, stack: RunningStack, events: EventLog, clock: RunClock):
        self.plan = plan
        self.stack = stack
        self.events = events
        self.clock = clock
        self.feed: Feed | None = None
        self.probe: QualityProbe | None = None

    def start(self, model_dir: Path) -> None:
        """Probe every checked instance; feed records when the scenario has a feed."""
        topo, urls = self.plan.topology, self.stack.handles
        probed = [i.name for s in (INFERENCE, INGEST, REPLICATOR) for i in topo.of_service(s)]
        self.probe = QualityProbe(
            {n: urls[n].url for n in probed},
            {i.name: urls[i.name].url for i in topo.of_service(RETRAIN)},
            self.events,
            self.clock,
        )
        self.probe.start()
        pipeline = self.plan.pipeline
        if pipeline is None or pipeline.feed is None:
            return
        ingest = [(i.region or "", urls[i.name].url) for i in topo.of_service(INGEST)]
        cooldown = max(0.5, self.plan.gateway.interval_s * 2)
        stream = stream_frame(model_dir / "stream.npz")
        self.feed = Feed(pipeline.feed, stream, ingest, self.clock, cooldown)
        self.feed.start()

    def stop(self) -> None:
        """Stop the feed and the probe (the stack keeps running for the audit)."""
        if self.feed is not None:
            self.feed.stop()
        if self.probe is not None:
            self.probe.stop()

    def finish(self, out_dir: Path) -> PipelineOutcome:
        """Let replication settle, audit every store, and save the acknowledgements."""
        outcome = PipelineOutcome(lag=list(self.probe.lag) if self.probe else [])
        if self.feed is None:
            return outcome
        outcome.acks, outcome.feed = list(self.feed.acks), self.feed.stats
        self.feed.write_acks(out_dir / "records.csv")
        self._settle()
        try:
            outcome.audit = audit_stores(self.plan, self.stack, outcome.acks, self.events)
        except Exception as exc:  # the audit must never cost the run its results
            outcome.audit_error = f"{type(exc).__name__}: {exc}"
        return outcome

    def _settle(self) -> None:
        """Wait until no replicator has objects pending (bounded): the lag is not a loss."""
        replicators = self.plan.topology.of_service(REPLICATOR)
        if not replicators:
            return
        assert self.plan.pipeline is not None
        time.sleep(min(5.0, self.plan.pipeline.interval_s * 2))  # let a pass see the last batch
        deadline = time.monotonic() + min(SETTLE_MAX_S, self.plan.pipeline.lag_s * 3 + 10)
        while time.monotonic() < deadline:
            if all(_pending(self.stack.handles[r.name].url) == 0 for r in replicators):
                return
            time.sleep(0.2)


def _pending(url: str) -> float:
    try:
        text = requests.get(url + "/metrics", timeout=1).text
    except requests.RequestException:
        return 0.0  # a dead replicator has nothing it can still copy
    return sum(v for _, v in select(parse_metrics(text), "replicator_pending_objects"))
