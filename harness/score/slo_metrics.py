"""SLO metrics, registered by the name scenarios use in `metric:`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from harness.registry import Registry
from harness.results import Integrity, Preemption
from harness.scenario.objective import Unit
from harness.score.stats import SampleStats


@dataclass(frozen=True)
class FaultOutcome:
    """What recovery scoring found for one fault."""

    name: str
    time_to_recover_s: float | None
    recovered: bool


@dataclass(frozen=True)
class ScoreView:
    """What an SLO metric may read: stats per phase, every fault's outcome, the audit."""

    phases: dict[str, SampleStats]
    faults: list[FaultOutcome]
    integrity: Integrity | None = None
    preemptions: list[Preemption] = field(default_factory=list)


Measure = Callable[[ScoreView, str], float | None]


@dataclass(frozen=True)
class SloMetric:
    """A measurable quantity: its unit, default phase, and how to measure it in a phase."""

    name: str
    unit: Unit
    default_phase: str
    measure: Measure
    relative_ok: bool = True
    schedule_time: bool = False  # a duration objective: --time-scale shrinks its bound too

    def describe(self) -> str:
        """One line for `harness schema` and the README."""
        return f"{self.name} ({self.unit}, default phase {self.default_phase})"


SLO_METRICS: Registry[SloMetric] = Registry("SLO metric")


def slo_metric(
    name: str,
    unit: Unit,
    default_phase: str = "overall",
    relative_ok: bool = True,
    schedule_time: bool = False,
) -> Callable[[Measure], Measure]:
    """Decorator: register a measure function as the SLO metric `name`."""

    def deco(fn: Measure) -> Measure:
        metric = SloMetric(name, unit, default_phase, fn, relative_ok, schedule_time)
        SLO_METRICS.register(name)(metric)
        return fn

    return deco


@slo_metric("availability", "ratio")
def _availability(view: ScoreView, phase: str) -> float | None:
    return view.phases[phase].availability


@slo_metric("accuracy", "ratio")
def _accuracy(view: ScoreView, phase: str) -> float | None:
    return view.phases[phase].accuracy


@slo_metric("p50_latency", "ms")
def _p50(view: ScoreView, phase: str) -> float | None:
    return view.phases[phase].p50_ms


@slo_metric("p95_latency", "ms")
def _p95(view: ScoreView, phase: str) -> float | None:
    return view.phases[phase].p95_ms


@slo_metric("p99_latency", "ms")
def _p99(view: ScoreView, phase: str) -> float | None:
    return view.phases[phase].p99_ms


@slo_metric("recovery_time", "s", default_phase="fault", relative_ok=False, schedule_time=True)
def _recovery_time(view: ScoreView, phase: str) -> float | None:
    """The slowest recovery over every fault; None (a failure) if any fault never recovered."""
    if any(not f.recovered for f in view.faults):
        return None
    return max((f.time_to_recover_s or 0.0 for f in view.faults), default=0.0)


@slo_metric("records_lost", "count", relative_ok=False)
def _records_lost(view: ScoreView, phase: str) -> float | None:
    """Acknowledged records missing from a surviving region's store (None: no audit ran)."""
    audit = view.integrity
    return None if audit is None or audit.error else float(audit.records_lost)


@slo_metric("records_duplicated", "count", relative_ok=False)
def _records_duplicated(view: ScoreView, phase: str) -> float | None:
    """Records stored more than once in some region."""
    audit = view.integrity
    return None if audit is None or audit.error else float(audit.records_duplicated)


@slo_metric("rpo", "s", relative_ok=False, schedule_time=True)
def _rpo(view: ScoreView, phase: str) -> float | None:
    """Age of the oldest lost record when its region was lost; 0 when nothing was lost."""
    audit = view.integrity
    return None if audit is None or audit.error else audit.rpo_s


@slo_metric("preemption_failed_requests", "count", relative_ok=False)
def _preemption_failures(view: ScoreView, phase: str) -> float | None:
    """Requests failed on preempted instances, from each notice until its replacement joined."""
    return float(sum(p.failed_requests for p in view.preemptions))


@slo_metric(
    "time_without_full_capacity", "s", default_phase="fault", relative_ok=False, schedule_time=True
)
def _without_capacity(view: ScoreView, phase: str) -> float | None:
    """The longest a preempted instance was out of rotation before its replacement joined.

    None (a failure) when one never got back before the run ended; 0 without preemptions.
    """
    if any(p.replacement.joined_at is None for p in view.preemptions):
        return None
    return max((p.without_full_capacity_s or 0.0 for p in view.preemptions), default=0.0)
