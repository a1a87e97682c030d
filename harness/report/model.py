"""View dataclasses for report.html, built from Results: every string formatted, every class set."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from harness.events import Tone, from_record
from harness.report import fmt, pipeline_view, spot_view
from harness.report.charts import event_colors, timeline_svg
from harness.report.facts import Fact
from harness.results import (
    EventRecord,
    FaultResult,
    PhaseResult,
    Results,
    SloResult,
    Verdict,
)

_VERDICT_TEXT = {Verdict.PASS: "PASS", Verdict.FAIL: "FAIL", Verdict.INCOMPLETE: "INCOMPLETE"}
_TONE_CSS: dict[Tone, str] = {"good": "pass", "bad": "fail", "neutral": "muted"}


@dataclass(frozen=True)
class VerdictView:
    """The banner at the top of the page."""

    text: str
    css: str
    summary: str
    reason: str | None
    warnings: list[str]


@dataclass(frozen=True)
class SloRow:
    """One row of the SLO table."""

    name: str
    metric: str
    phase: str
    objective: str
    threshold: str
    measured: str
    status: str
    css: str
    detail: str


@dataclass(frozen=True)
class FaultCard:
    """One fault: what was done, when, and how the stack fared during and after it."""

    name: str
    kind: str
    target: str  # a phrase: "on region us-east-1", "between us-east-1 and eu-west-1"
    recovery: str
    recovery_css: str
    facts: list[Fact]


@dataclass(frozen=True)
class PhaseRow:
    """One row of the phase table."""

    name: str
    span: str
    requests: str
    errors: str
    availability: str
    p50: str
    p95: str
    p99: str
    accuracy: str
    css: str


@dataclass(frozen=True)
class EventRow:
    """One row of the events table, with the colour its line has in the chart."""

    t: str
    type: str
    message: str
    color: str
    badge: str = ""
    badge_css: str = ""


@dataclass(frozen=True)
class ReportView:
    """Everything report.html shows, ready to print."""

    title: str
    description: str
    verdict: VerdictView
    run_facts: list[Fact]
    totals: list[Fact]
    slos: list[SloRow]
    faults: list[FaultCard]
    preemptions: spot_view.PreemptionsView | None
    phases: list[PhaseRow]
    chart_svg: Markup
    models: pipeline_view.ModelsView | None
    drift: pipeline_view.DriftView | None
    integrity: pipeline_view.IntegrityView | None
    events: list[EventRow]
    cost: spot_view.CostView | None
    command: str
    seed: int
    scenario_file: str
    scenario_text: str
    footer: str


def build_view(results: Results) -> ReportView:
    """Build the view of `results` that the template renders."""
    return ReportView(
        title=results.scenario.name,
        description=results.scenario.description.strip(),
        verdict=_verdict(results),
        run_facts=_run_facts(results),
        totals=_totals(results),
        slos=[_slo_row(s) for s in results.slos],
        faults=[_fault_card(f) for f in results.faults],
        preemptions=spot_view.preemptions_view(results),
        phases=[_phase_row(p) for p in results.phases],
        chart_svg=Markup(timeline_svg(results)),  # charts.py escapes what it draws as SVG text
        models=pipeline_view.models_view(results),
        drift=pipeline_view.drift_view(results),
        integrity=pipeline_view.integrity_view(results),
        events=_event_rows(results),
        cost=spot_view.cost_view(results),
        command=results.command,
        seed=results.seed,
        scenario_file=results.scenario.file,
        scenario_text=results.scenario.text,
        footer=f"harness {results.harness_version} · results schema v{results.schema_version} "
        f"· run {results.run_id}",
    )


def _verdict(results: Results) -> VerdictView:
    met = sum(s.passed for s in results.slos)
    summary = f"{met} of {len(results.slos)} SLOs met"
    reason = None
    if results.verdict == Verdict.INCOMPLETE or not results.complete:
        reason = results.incomplete_reason or "the run did not complete"
        summary += " on partial data"
    return VerdictView(
        _VERDICT_TEXT[results.verdict],
        f"verdict-{results.verdict.value}",
        summary,
        reason,
        _warnings(results),
    )


def _warnings(results: Results) -> list[str]:
    """What a reader must know before trusting the page, though it did not change the verdict."""
    n = results.subscriber_errors
    if not n:
        return []
    return [
        f"event subscribers failed {n} time{'' if n == 1 else 's'} (the run's log has each "
        "traceback); events.jsonl and these results hold every event."
    ]


def _run_facts(results: Results) -> list[Fact]:
    return [
        Fact("backend", results.backend),
        Fact("seed", str(results.seed)),
        Fact("time scale", fmt.scale(results.time_scale)),
        Fact("started", fmt.timestamp(results.started_at)),
        Fact("duration", fmt.duration(results.duration_s)),
        Fact("scenario file", results.scenario.file),
    ]


def _totals(results: Results) -> list[Fact]:
    t = results.totals
    facts = [
        Fact("requests", fmt.count(t.requests)),
        Fact("errors", fmt.count(t.errors), "bad" if t.errors else ""),
        Fact("availability", fmt.ratio(t.availability)),
        Fact("accuracy", fmt.ratio(t.accuracy)),
    ]
    if t.records_sent or t.records_lost or t.records_duplicated:
        facts += [
            Fact("records sent", fmt.count(t.records_sent)),
            Fact("records lost", fmt.count(t.records_lost), "bad" if t.records_lost else ""),
            Fact(
                "records duplicated",
                fmt.count(t.records_duplicated),
                "bad" if t.records_duplicated else "",
            ),
        ]
    return facts


def _slo_row(slo: SloResult) -> SloRow:
    return SloRow(
        name=slo.name,
        metric=slo.metric,
        phase=slo.phase,
        objective=slo.objective,
        threshold=fmt.with_unit(slo.threshold, slo.unit),
        measured=fmt.with_unit(slo.measured, slo.unit)
        if slo.measured is not None
        else "not measured",
        status="pass" if slo.passed else "fail",
        css="pass" if slo.passed else "fail",
        detail=slo.detail,
    )


def _fault_card(fault: FaultResult) -> FaultCard:
    if fault.injected_at is None:
        recovery, css = "never injected", "muted"
    elif fault.recovered and fault.time_to_recover_s is not None:
        recovery, css = f"recovered in {fmt.seconds(fault.time_to_recover_s)}", "pass"
    elif not fault.recovery_judged:
        recovery, css = "recovery not judged", "muted"
    else:
        recovery, css = "did not recover", "fail"
    # An inject that raised (perhaps half-way) heads the card; its figures still stand.
    headline = ("inject failed", "fail") if fault.inject_error else (recovery, css)
    facts = [
        Fact("injected at", fmt.at(fault.injected_at)),
        *([Fact("inject error", fault.inject_error, "bad")] if fault.inject_error else []),
        _reverted(fault),
        Fact("time to detect", fmt.seconds(fault.time_to_detect_s)),
        *([Fact("detected by", fault.detected_by)] if fault.detected_by else []),
        Fact("time to recover", _recovery_time(fault), css),
        Fact("recovered", "yes" if fault.recovered else "no", css),
        Fact("requests / errors", f"{fmt.count(fault.requests)} / {fmt.count(fault.errors)}"),
        Fact("availability", fmt.ratio(fault.availability)),
        Fact("p99 latency", fmt.ms(fault.p99_ms)),
        Fact("accuracy", fmt.ratio(fault.accuracy)),
    ]
    return FaultCard(fault.name, fault.kind, _target_phrase(fault), *headline, facts)


def _target_phrase(fault: FaultResult) -> str:
    return fault.target_phrase or f"on {fault.target}"


def _recovery_time(fault: FaultResult) -> str:
    if fault.recovered:
        return fmt.seconds(fault.time_to_recover_s)
    if not fault.recovery_judged:
        return "not judged: too few labelled requests after the fault to judge accuracy"
    return "did not recover"


def _reverted(fault: FaultResult) -> Fact:
    if fault.injected_at is not None and fault.reverted_at is None:
        return Fact("reverted at", "not reverted", "bad")
    return Fact("reverted at", fmt.at(fault.reverted_at))


def _phase_row(phase: PhaseResult) -> PhaseRow:
    return PhaseRow(
        name=phase.name,
        span=f"{phase.start_s:g}–{phase.end_s:g} s",
        requests=fmt.count(phase.requests),
        errors=fmt.count(phase.errors),
        availability=fmt.ratio(phase.availability),
        p50=fmt.ms(phase.p50_ms),
        p95=fmt.ms(phase.p95_ms),
        p99=fmt.ms(phase.p99_ms),
        accuracy=fmt.ratio(phase.accuracy),
        css="overall" if phase.name == "overall" else "",
    )


def _event_rows(results: Results) -> list[EventRow]:
    colors = event_colors(e.type for e in results.events)
    return [
        EventRow(fmt.at(e.t), e.type, e.message, colors[e.type], *_badge(e))
        for e in sorted(results.events, key=lambda e: e.t)
    ]


def _badge(record: EventRecord) -> tuple[str, str]:
    """The pill its event kind declares (text, css), or none."""
    event = from_record(record.model_dump())
    badge = event.badge() if event is not None else None
    return (badge.text, _TONE_CSS[badge.tone]) if badge is not None else ("", "")
