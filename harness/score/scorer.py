"""Turn samples and events into scores, verdicts and the Results contract."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from harness.events import (
    Event,
    FailoverSeen,
    FaultInjected,
    FaultReverted,
    InstanceHealthChanged,
    ModelRejected,
    QualityAlert,
)
from harness.load.samples import Sample
from harness.results import (
    Cost,
    FaultResult,
    Integrity,
    PhaseResult,
    Preemption,
    SloResult,
    Totals,
    Verdict,
)
from harness.scenario.plan import Plan, ScheduledFault
from harness.score.cost import cost, lifetimes
from harness.score.preemptions import preemptions
from harness.score.recovery import AccuracyBar, Recovery, WindowCondition, recovery
from harness.score.slo_metrics import SLO_METRICS, FaultOutcome, ScoreView
from harness.score.stats import SampleStats, between, summarize


@dataclass(frozen=True)
class Scores:
    """Everything scored, before it is packed into Results."""

    phases: list[PhaseResult]
    faults: list[FaultResult]
    slos: list[SloResult]
    totals: Totals
    verdict: Verdict
    preemptions: list[Preemption]
    cost: Cost


def score(
    plan: Plan,
    samples: Sequence[Sample],
    events: Sequence[Event],
    complete: bool,
    integrity: Integrity | None = None,
) -> Scores:
    """Score a run: per phase, per fault, every SLO, and the verdict."""
    stats = {p.name: summarize(between(samples, p.start, p.end)) for p in plan.phases}
    stats["overall"] = summarize(samples)
    faults = [_score_fault(plan, f, samples, events, stats["baseline"]) for f in plan.faults]
    spot = preemptions(plan, samples, events)
    view = ScoreView(
        stats,
        [FaultOutcome(f.name, f.time_to_recover_s, f.recovered) for f in faults],
        integrity,
        spot,
    )
    slos = [_score_slo(plan, i, view) for i in range(len(plan.scenario.slos))]
    predictions = sum(s.ok for s in samples) * plan.scenario.load.batch_size
    spans = lifetimes(plan.topology, events, plan.duration_s)
    return Scores(
        _phase_results(plan, stats),
        faults,
        slos,
        _totals(stats["overall"], integrity),
        _verdict(complete, slos),
        spot,
        cost(plan.scenario.stack, spans, predictions, spot),
    )


def _verdict(complete: bool, slos: list[SloResult]) -> Verdict:
    if not complete:
        return Verdict.INCOMPLETE
    return Verdict.PASS if all(s.passed for s in slos) else Verdict.FAIL


def window_condition(
    plan: Plan, fault: ScheduledFault | None = None, baseline_accuracy: float | None = None
) -> WindowCondition:
    """The SLO window condition recovery is judged by (from the scenario's `scoring`).

    A data fault breaks accuracy rather than availability: its window condition also needs
    the answers back within `scoring.accuracy_drop` of the baseline's accuracy (AccuracyBar;
    the requests it corrupted carry its name).
    """
    scoring = plan.scenario.scoring
    max_ms = scoring.max_latency * 1000 if scoring.max_latency is not None else None
    bar = None
    if fault is not None and fault.spec.judged_by_accuracy and baseline_accuracy is not None:
        bar = AccuracyBar.from_baseline(baseline_accuracy, scoring.accuracy_drop, fault.name)
    return WindowCondition(scoring.min_success_ratio, max_ms, bar)


def _score_fault(
    plan: Plan,
    fault: ScheduledFault,
    samples: Sequence[Sample],
    events: Sequence[Event],
    baseline: SampleStats,
) -> FaultResult:
    injected = _event_time(events, FaultInjected, fault.name)
    reverted = _event_time(events, FaultReverted, fault.name)
    back = Recovery(None)
    if injected is not None:
        condition = window_condition(plan, fault, baseline.accuracy)
        back = recovery(samples, injected, plan.stabilisation_s, condition, reverted)
    ttr = back.seconds
    detection = _first_detection(events, injected, reverted)
    detected = detection.t if detection is not None else None
    during = (
        between(samples, injected, reverted if reverted is not None else float("inf"))
        if injected is not None
        else []
    )
    st = summarize(during)
    return FaultResult(
        name=fault.name,
        kind=fault.spec.kind,
        target=fault.spec.describe_target(),
        target_phrase=fault.spec.target_phrase(),
        injected_at=injected,
        inject_error=next(
            (e.error for e in events if isinstance(e, FaultInjected) and e.fault == fault.name),
            None,
        ),
        reverted_at=reverted,
        time_to_recover_s=ttr,
        time_to_detect_s=None if detected is None or injected is None else detected - injected,
        detected_by=detection.message() if detection is not None else None,
        recovered=ttr is not None,
        recovery_judged=back.judged,
        requests=st.requests,
        errors=st.errors,
        availability=st.availability,
        p99_ms=st.p99_ms,
        accuracy=st.accuracy,
    )


def _event_time(events: Sequence[Event], kind: type[Event], fault: str) -> float | None:
    return next(
        (e.t for e in events if isinstance(e, kind) and getattr(e, "fault", None) == fault), None
    )


def _first_detection(
    events: Sequence[Event], start: float | None, end: float | None
) -> Event | None:
    """What the stack noticed first in [start, end]: a failover, an ejection, its own alert."""
    if start is None:
        return None
    stop = end if end is not None else float("inf")
    return next(
        (e for e in sorted(events, key=lambda e: e.t) if _is_detection(e) and start <= e.t <= stop),
        None,
    )


def _is_detection(event: Event) -> bool:
    if isinstance(event, InstanceHealthChanged):
        return not event.healthy
    if isinstance(event, QualityAlert):
        return event.firing
    return isinstance(event, FailoverSeen | ModelRejected)


def _score_slo(plan: Plan, index: int, view: ScoreView) -> SloResult:
    slo = plan.scenario.slos[index]
    metric = SLO_METRICS.get(slo.metric)
    phase = slo.resolved_phase
    measured = metric.measure(view, phase)
    baseline = metric.measure(view, "baseline") if slo.objective.relative else None
    threshold = slo.objective.threshold(baseline)
    if threshold is not None and metric.schedule_time:
        threshold *= plan.time_scale
    passed = (
        measured is not None and threshold is not None and slo.objective.holds(measured, threshold)
    )
    return SloResult(
        name=slo.label,
        metric=slo.metric,
        objective=slo.objective.text,
        threshold=threshold,
        unit=metric.unit,
        phase=phase,
        measured=measured,
        passed=passed,
        detail=_detail(measured, threshold, slo.objective.relative),
    )


def _detail(measured: float | None, threshold: float | None, relative: bool) -> str:
    if measured is None:
        return "not measured (no samples, or a fault never recovered)"
    if threshold is None and relative:
        return "baseline not measured"
    return ""


def _phase_results(plan: Plan, stats: dict[str, SampleStats]) -> list[PhaseResult]:
    spans = {p.name: (p.start, p.end) for p in plan.phases}
    spans["overall"] = (0.0, plan.duration_s)
    return [
        PhaseResult(name=name, start_s=spans[name][0], end_s=spans[name][1], **asdict(st))
        for name, st in stats.items()
    ]


def _totals(st: SampleStats, integrity: Integrity | None) -> Totals:
    records = {}
    if integrity is not None:
        records = {
            "records_sent": integrity.records_sent,
            "records_lost": integrity.records_lost,
            "records_duplicated": integrity.records_duplicated,
        }
    return Totals(
        requests=st.requests,
        errors=st.errors,
        availability=st.availability,
        accuracy=st.accuracy,
        **records,
    )
