"""The timeline chart (success ratio, p99 latency, accuracy over time) as an inline SVG string."""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness.events import EVENT_TYPES
from harness.report import _mpl
from harness.report._mpl import FAULT_ALPHA, FAULT_COLOR, GAP_COLOR, LINE_COLOR
from harness.results import Results, TimelineBin

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# For an event kind that names no colour, and for kinds the catalog lacks (an older run's).
PALETTE = ("#e67e22", "#2c3e50", "#b7950b", "#1abc9c", "#9b59b6", "#34495e")
SLO_COLOR = "#555555"
MIN_RATIO_SPAN = 0.05  # the least a ratio axis spans below 100%
CHART_ID = "timeline-chart"


@dataclass(frozen=True)
class Panel:
    """One metric of the timeline: what it plots and which SLOs draw their threshold on it."""

    key: str  # the TimelineBin attribute it plots
    label: str
    slo_metric: str  # SLOs on this metric get their threshold drawn
    is_ratio: bool


PANELS = (
    Panel("success_ratio", "success ratio", "availability", True),
    Panel("p99_ms", "p99 latency (ms)", "p99_latency", False),
    Panel("accuracy", "accuracy", "accuracy", True),
)


def event_colors(types: Iterable[str] = ()) -> dict[str, str]:
    """A colour for every event kind of the catalog and for each of `types`.

    A kind's colour is its class's own, else one picked by its name alone: it is the same in
    every run, whatever other kinds the run holds.
    """
    kinds = {**dict.fromkeys(EVENT_TYPES), **dict.fromkeys(types)}
    return {kind: _color(kind) for kind in kinds}


def _color(kind: str) -> str:
    cls = EVENT_TYPES.get(kind)
    if cls is not None and cls.color is not None:
        return cls.color
    return PALETTE[zlib.crc32(kind.encode()) % len(PALETTE)]


def on_timeline(kind: str) -> bool:
    """Whether the timeline draws a line for this kind (phases get boundaries of their own)."""
    cls = EVENT_TYPES.get(kind)
    return cls.on_timeline if cls is not None else True


def timeline_svg(results: Results) -> str:
    """Render the three stacked timeline panels as an <svg> element ('' without bins)."""
    if not results.timeline:
        return ""
    with _mpl.figure(CHART_ID, (11, 7.4)) as fig:
        axes = fig.subplots(len(PANELS), 1, sharex=True, gridspec_kw={"hspace": 0.14})
        for ax, panel in zip(axes, PANELS, strict=True):
            draw_panel(ax, panel, results)
        _label_phases(axes[0], results)
        _mpl.label_faults(axes[0], results.faults, _end(results))
        axes[-1].set_xlabel("seconds since run start")
        axes[-1].set_xlim(0, _end(results))
        _legend(fig, results)
        return _mpl.to_svg(fig, CHART_ID, "timeline: success ratio, p99 latency and accuracy")


def _end(results: Results) -> float:
    return results.timeline[-1].t_end


def _series(bins: Sequence[TimelineBin], key: str) -> list[float]:
    values: list[float | None] = [getattr(b, key) for b in bins]
    return [math.nan if v is None else float(v) for v in values]  # NaN: a gap, never a zero


def draw_panel(
    ax: Axes, panel: Panel, results: Results, *, key: str = "", events: bool = True
) -> None:
    """Draw one metric over the bins, with fault windows, gaps, phases and SLO thresholds.

    `key` names the drawn elements' gids (the panel's metric by default); `events` draws
    a line per event.
    """
    key = key or panel.key
    bins = results.timeline
    values = _series(bins, panel.key)
    _mpl.shade_faults(ax, results.faults, _end(results), key)
    _shade_gaps(ax, bins, values, key)
    if events:
        _draw_events(ax, results, key)
    for phase in results.phases:
        if phase.name != "overall" and phase.start_s > 0:
            ax.axvline(phase.start_s, color="#b0b7bf", lw=0.8, ls=":", zorder=1)
    xs = [b.t_start for b in bins] + [bins[-1].t_end]
    ax.step(
        xs,
        values + values[-1:],
        where="post",
        color=LINE_COLOR,
        lw=1.4,
        zorder=4,
        gid=f"series-{key}",
    )
    thresholds = _draw_thresholds(ax, panel, results)
    _scale_axis(ax, panel, [v for v in values if not math.isnan(v)] + thresholds)


def _shade_gaps(ax: Axes, bins: Sequence[TimelineBin], values: list[float], key: str) -> None:
    start: float | None = None
    for b, v in zip(bins, [*values, 0.0], strict=False):
        if math.isnan(v) and start is None:
            start = b.t_start
        elif not math.isnan(v) and start is not None:
            ax.axvspan(start, b.t_start, color=GAP_COLOR, alpha=0.22, lw=0, zorder=0)
            start = None
    if start is not None:
        ax.axvspan(
            start, bins[-1].t_end, color=GAP_COLOR, alpha=0.22, lw=0, zorder=0, gid=f"gap-{key}"
        )


def _draw_events(ax: Axes, results: Results, key: str) -> None:
    colors = event_colors(e.type for e in results.events)
    for j, event in enumerate(results.events):
        if on_timeline(event.type):
            ax.axvline(
                event.t,
                color=colors[event.type],
                lw=0.9,
                alpha=0.9,
                zorder=2,
                gid=f"event-{j}-{key}",
            )


def _draw_thresholds(ax: Axes, panel: Panel, results: Results) -> list[float]:
    spans = {p.name: (p.start_s, p.end_s) for p in results.phases}
    drawn = []
    for slo in results.slos:
        if slo.metric == panel.slo_metric and slo.threshold is not None:
            start, end = spans.get(slo.phase, (0.0, _end(results)))
            ax.hlines(
                slo.threshold, start, end, colors=SLO_COLOR, linestyles="--", lw=0.9, zorder=3
            )
            drawn.append(slo.threshold)
    return drawn


def _scale_axis(ax: Axes, panel: Panel, values: list[float]) -> None:
    ax.set_ylabel(panel.label)
    if not values:
        ax.text(
            0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center", color="#777777"
        )
    if panel.is_ratio:
        _scale_ratio(ax, min(values, default=0.0))
    else:
        ax.set_ylim(0, max(values, default=1.0) * 1.12 or 1.0)


def _scale_ratio(ax: Axes, low: float) -> None:
    """A ratio axis up to 100%, never labelled above it, with a few points below the lowest value.

    A ratio that stays at 100% gets MIN_RATIO_SPAN of axis: a 0.1-point axis would turn one
    failed request into a cliff and label ticks like 100.05%.
    """
    from matplotlib.ticker import FixedLocator, MaxNLocator, PercentFormatter

    span = max(1.0 - low, MIN_RATIO_SPAN)
    bottom = max(0.0, min(low, 1.0 - span) - 0.08 * span)
    ax.set_ylim(bottom, 1.0 + 0.02 * span)  # headroom so a line at 100% clears the frame
    # Steps of at least one point (the span is at least 5): whole percents, never 100.05%.
    ticks = MaxNLocator(nbins=5, steps=[1, 2, 5, 10]).tick_values(bottom, 1.0)
    ax.yaxis.set_major_locator(FixedLocator([t for t in ticks if bottom <= t <= 1.0 + 1e-9]))
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))


def _label_phases(ax: Axes, results: Results) -> None:
    for phase in results.phases:
        if phase.name != "overall":
            ax.text(
                (phase.start_s + phase.end_s) / 2,
                1.03,
                phase.name,
                ha="center",
                va="bottom",
                transform=ax.get_xaxis_transform(),
                color="#666666",
                fontsize=8.5,
            )


def _legend(fig: Figure, results: Results) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [
        Line2D([], [], color=LINE_COLOR, lw=1.4, label="per-bin value"),
        Patch(color=FAULT_COLOR, alpha=FAULT_ALPHA, label="fault window"),
        Patch(color=GAP_COLOR, alpha=0.22, label="no data in bin"),
    ]
    if any(
        s.threshold is not None and s.metric in {p.slo_metric for p in PANELS} for s in results.slos
    ):
        handles.append(Line2D([], [], color=SLO_COLOR, ls="--", lw=0.9, label="SLO threshold"))
    colors = event_colors(e.type for e in results.events)
    seen = dict.fromkeys(e.type for e in results.events if on_timeline(e.type))
    handles += [Line2D([], [], color=colors[t], lw=1.2, label=t) for t in seen]
    _mpl.bottom_legend(fig, handles)
