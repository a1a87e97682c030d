"""The run plan: topology resolved, time scale applied, fault schedule fixed by the seed."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from harness.data.dataset import DatasetPlan
from harness.scenario.model import Scenario
from harness.scenario.topology import Topology, resolve_topology
from harness.scenario.types import FaultSpecBase

PHASES = ("baseline", "fault", "recovery")


@dataclass(frozen=True)
class PhaseWindow:
    """A phase's span in seconds since run start."""

    name: str
    start: float
    end: float


@dataclass(frozen=True)
class ScheduledFault:
    """A fault with its final name and scaled times."""

    name: str
    spec: FaultSpecBase

    @property
    def at(self) -> float:
        """Injection time, seconds since run start."""
        return self.spec.at

    @property
    def end(self) -> float:
        """Planned revert time, seconds since run start."""
        return self.spec.at + self.spec.duration


@dataclass(frozen=True)
class GatewayPlan:
    """Gateway settings with schedule times scaled; timeouts are latencies and stay as written."""

    interval_s: float
    timeout_s: float
    unhealthy_threshold: int
    healthy_threshold: int
    attempts: int
    per_request_timeout_s: float


@dataclass(frozen=True)
class RetrainPlan:
    """The retrain job's settings, schedule times scaled."""

    every_s: float  # 0: never on a schedule
    on_drift: bool
    check_interval_s: float
    window: int
    min_rows: int
    max_drop: float


@dataclass(frozen=True)
class FeedPlan:
    """Records into the pipeline: rate, batch, timeout (a latency, not scaled)."""

    rate: float
    batch_size: int
    timeout_s: float


@dataclass(frozen=True)
class PipelinePlan:
    """The data pipeline's settings with schedule times scaled."""

    replication: str
    lag_s: float
    interval_s: float
    registry_poll_s: float
    retrain: RetrainPlan | None
    feed: FeedPlan | None


@dataclass(frozen=True)
class SpotPlan:
    """Spot settings with schedule times scaled."""

    provider: str
    drain_on_notice: bool
    notice_poll_s: float
    replacement_capacity: str
    replacement_delay_s: float


@dataclass(frozen=True)
class Plan:
    """Everything a run needs to know before it starts."""

    scenario: Scenario
    seed: int
    time_scale: float
    topology: Topology
    phases: tuple[PhaseWindow, ...]
    faults: tuple[ScheduledFault, ...]
    gateway: GatewayPlan
    stabilisation_s: float
    spot: SpotPlan
    pipeline: PipelinePlan | None = None
    # The labelled rows the load sends: load.dataset's, or the reference model's held-out rows.
    dataset: DatasetPlan = field(default_factory=DatasetPlan.reference)

    @property
    def duration_s(self) -> float:
        """Length of the load, seconds."""
        return self.phases[-1].end

    def rng(self, name: str) -> random.Random:
        """A random stream derived from the seed and a name, independent of other streams."""
        return random.Random(f"{self.seed}:{name}")

    def phase(self, name: str) -> PhaseWindow:
        """The window of phase `name`."""
        return next(p for p in self.phases if p.name == name)


def make_plan(scenario: Scenario, *, seed: int | None = None, time_scale: float = 1.0) -> Plan:
    """Resolve a validated scenario into a plan; `seed` overrides the scenario's seed."""
    if time_scale <= 0:
        raise ValueError("time scale must be positive")
    return Plan(
        scenario=scenario,
        seed=scenario.seed if seed is None else seed,
        time_scale=time_scale,
        topology=resolve_topology(scenario.stack),
        phases=_phases(scenario, time_scale),
        faults=_faults(scenario, time_scale),
        gateway=_gateway(scenario, time_scale),
        stabilisation_s=scenario.scoring.stabilisation * time_scale,
        spot=_spot(scenario, time_scale),
        pipeline=_pipeline(scenario, time_scale),
        dataset=_dataset(scenario),
    )


def _dataset(scenario: Scenario) -> DatasetPlan:
    """The user's rows, read once here (a DatasetError names the file); else the reference's."""
    spec = scenario.load.dataset
    if spec is None:
        return DatasetPlan.reference()
    return DatasetPlan.read(spec.path, spec.label, spec.features)


def _phases(scenario: Scenario, scale: float) -> tuple[PhaseWindow, ...]:
    lengths = scenario.load.phases
    windows, start = [], 0.0
    for name in PHASES:
        end = start + getattr(lengths, name) * scale
        windows.append(PhaseWindow(name, start, end))
        start = end
    return tuple(windows)


def _faults(scenario: Scenario, scale: float) -> tuple[ScheduledFault, ...]:
    scheduled = [
        ScheduledFault(
            spec.name or f"{spec.kind}#{i + 1}", spec.resolve(scenario.stack).scaled(scale)
        )
        for i, spec in enumerate(scenario.fault_specs())
    ]
    return tuple(sorted(scheduled, key=lambda f: f.at))


def _gateway(scenario: Scenario, scale: float) -> GatewayPlan:
    gw = scenario.stack.gateway
    return GatewayPlan(
        interval_s=gw.health_check.interval * scale,
        timeout_s=gw.health_check.timeout,
        unhealthy_threshold=gw.health_check.unhealthy_threshold,
        healthy_threshold=gw.health_check.healthy_threshold,
        attempts=gw.retry.attempts,
        per_request_timeout_s=gw.retry.per_request_timeout,
    )


def _spot(scenario: Scenario, scale: float) -> SpotPlan:
    spot = scenario.stack.spot
    return SpotPlan(
        provider=spot.provider,
        drain_on_notice=spot.drain_on_notice,
        notice_poll_s=spot.notice_poll * scale,
        replacement_capacity=spot.replacement.capacity,
        replacement_delay_s=spot.replacement.delay * scale,
    )


def _pipeline(scenario: Scenario, scale: float) -> PipelinePlan | None:
    spec = scenario.stack.pipeline
    if spec is None:
        return None
    rep, rt, feed = spec.replication, spec.retrain, scenario.load.feed
    retrain = None
    if rt is not None:
        retrain = RetrainPlan(
            every_s=(rt.every or 0.0) * scale,
            on_drift=rt.on_drift,
            check_interval_s=rt.check_interval * scale,
            window=rt.window,
            min_rows=rt.min_rows,
            max_drop=rt.max_drop,
        )
    return PipelinePlan(
        replication=rep.mode,
        lag_s=rep.lag * scale,
        interval_s=rep.interval * scale,
        registry_poll_s=spec.registry_poll * scale,
        retrain=retrain,
        feed=None if feed is None else FeedPlan(feed.rate, feed.batch_size, feed.timeout),
    )
