"""View dataclasses for the pipeline sections: model versions, drift, data integrity."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from harness.report import fmt
from harness.report.facts import Fact, bad_if
from harness.report.heatmap import MAJOR, Heatmap, build_heatmap
from harness.report.lag_chart import lag_chart_svg
from harness.report.model_chart import (
    model_chart_svg,
    tells_more_than_the_timeline,
    version_colors,
)
from harness.results import Drift, Integrity, RegionIntegrity, Results

ONE_VERSION = "One model version served the whole run: its accuracy is on the timeline above."
LOST_SHOWN = 10  # the table lists the oldest ones; results.json has up to 200


@dataclass(frozen=True)
class VersionRow:
    """One model version: its colour in the chart, when it served, how well."""

    version: str
    color: str
    first: str
    last: str
    requests: str
    share: str
    accuracy: str


@dataclass(frozen=True)
class ModelsView:
    """The model-version section: accuracy chart with the version strip, and the table."""

    chart_svg: Markup
    rows: list[VersionRow]
    note: str  # why there is no chart, when there is none


@dataclass(frozen=True)
class DriftView:
    """The drift section: the heatmap and a one-line summary."""

    heatmap: Heatmap
    summary: str
    window: str


@dataclass(frozen=True)
class RegionRow:
    """One region's store at the audit."""

    region: str
    status: str
    status_css: str
    cells: list[Fact]


@dataclass(frozen=True)
class LostRow:
    """One acknowledged record no surviving store holds."""

    id: str
    region: str
    acked_at: str
    age: str


@dataclass(frozen=True)
class IntegrityView:
    """The data-integrity section: totals, per-region table, lost records, lag chart."""

    error: str | None
    facts: list[Fact]
    regions: list[RegionRow]
    lost: list[LostRow]
    more_lost: str
    lag_svg: Markup


def models_view(results: Results) -> ModelsView | None:
    """Build the model-version section, or None when no reply named a model version."""
    chart = model_chart_svg(results) if tells_more_than_the_timeline(results) else ""
    if not results.models and not chart:
        return None
    colors = version_colors(results)
    total = sum(m.requests for m in results.models) or 1
    rows = [
        VersionRow(
            version=m.version,
            color=colors.get(m.version, "#b0b7bf"),
            first=fmt.at(m.first_s),
            last=fmt.at(m.last_s),
            requests=fmt.count(m.requests),
            share=fmt.ratio(m.requests / total),
            accuracy=fmt.ratio(m.accuracy),
        )
        for m in results.models
    ]
    note = ONE_VERSION if len(rows) == 1 and not chart else ""
    return ModelsView(Markup(chart), rows, note)  # matplotlib escapes what it draws as SVG text


def drift_view(results: Results) -> DriftView | None:
    """Build the drift section, or None when the run measured no drift."""
    drift = results.drift
    if drift is None or not drift.features or not drift.windows:
        return None
    return DriftView(
        build_heatmap(drift, results.faults),
        _drift_summary(drift),
        f"{len(drift.windows)} windows of {fmt.seconds(drift.window_s)}",
    )


def _drift_summary(drift: Drift) -> str:
    major = [
        f
        for f, row in zip(drift.features, drift.psi, strict=True)
        if any(v is not None and v >= MAJOR for v in row)
    ]
    if not major:
        return f"No feature reached major drift (PSI ≥ {MAJOR:g}) in any window."
    names = ", ".join(major[:5]) + (f" and {len(major) - 5} more" if len(major) > 5 else "")
    return f"{len(major)} of {len(drift.features)} features reached major drift: {names}."


def integrity_view(results: Results) -> IntegrityView | None:
    """Build the data-integrity section, or None when the run fed no records."""
    audit = results.integrity
    lag = lag_chart_svg(results)
    if audit is None and not lag:
        return None
    if audit is None:
        return IntegrityView(None, [], [], [], "", Markup(lag))
    shown = audit.lost[:LOST_SHOWN]
    more = max(audit.records_lost, len(audit.lost)) - len(shown)
    return IntegrityView(
        error=audit.error,
        facts=_integrity_facts(audit),
        regions=[_region_row(r) for r in audit.regions],
        lost=[LostRow(x.id, x.region, fmt.at(x.t_ack), fmt.seconds(x.age_s)) for x in shown],
        more_lost=f"and {more:,} more" if more > 0 else "",
        lag_svg=Markup(lag),  # matplotlib escapes what it draws as SVG text
    )


def _integrity_facts(audit: Integrity) -> list[Fact]:
    reasons = ", ".join(f"{k}: {v:,}" for k, v in sorted(audit.quarantine_reasons.items()))
    facts = [
        Fact("records sent", fmt.count(audit.records_sent)),
        Fact("acknowledged", fmt.count(audit.records_acked)),
        Fact(
            "quarantined",
            fmt.count(audit.records_quarantined) + (f" ({reasons})" if reasons else ""),
        ),
    ]
    if audit.error is None:
        facts += [
            bad_if(audit.records_lost, "lost"),
            bad_if(audit.records_duplicated, "duplicated"),
            bad_if(audit.records_unexpected, "unexpected"),
            Fact("RPO", fmt.seconds(audit.rpo_s), "bad" if audit.rpo_s else ""),
        ]
    facts += [
        Fact("feed failed requests", fmt.count(audit.feed_failed_requests)),
        Fact("feed failovers", fmt.count(audit.feed_failovers)),
        Fact("audited at", fmt.at(audit.audited_at_s)),
    ]
    return facts


def _region_row(r: RegionIntegrity) -> RegionRow:
    return RegionRow(
        region=r.region,
        status="surviving" if r.surviving else "lost",
        status_css="pass" if r.surviving else "fail",
        cells=[
            Fact("objects", fmt.count(r.objects)),
            Fact("present", fmt.count(r.present)),
            bad_if(r.missing, "missing"),
            bad_if(r.duplicated, "duplicated"),
            bad_if(r.unexpected, "unexpected"),
            bad_if(r.unreadable_lines, "unreadable lines"),
        ],
    )
