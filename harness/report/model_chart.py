"""The accuracy timeline with the serving model versions: a strip of version shares per bin."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from harness.events import Marker, from_record
from harness.report import _mpl, fmt
from harness.report.charts import PANELS, draw_panel
from harness.results import EventRecord, Results, TimelineBin

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

CHART_ID = "models-chart"
VERSION_COLORS = ("#4c9f70", "#e3a33b", "#7b6bb0", "#3fa7c6", "#c4657a", "#8c8c3a", "#5f7d95")
ACCURACY = next(p for p in PANELS if p.key == "accuracy")


def versions_in_order(results: Results) -> list[str]:
    """Every model version the run saw: as in results.models, then any only the bins name."""
    seen = dict.fromkeys(m.version for m in results.models)
    for b in results.timeline:
        seen.update(dict.fromkeys(b.model_versions))
    return list(seen)


def version_colors(results: Results) -> dict[str, str]:
    """Give each model version its colour, the same in the chart and in the table."""
    return {
        v: VERSION_COLORS[i % len(VERSION_COLORS)] for i, v in enumerate(versions_in_order(results))
    }


def tells_more_than_the_timeline(results: Results) -> bool:
    """Whether the chart adds to the timeline's accuracy panel: versions to tell apart, or
    model events to mark. With one version and none, it would draw that panel again."""
    return len(versions_in_order(results)) > 1 or any(_marker_for(e) for e in results.events)


def model_chart_svg(results: Results) -> str:
    """Render accuracy over time above a strip of serving versions ('' without versions)."""
    if not results.timeline or not versions_in_order(results):
        return ""
    colors = version_colors(results)
    with _mpl.figure(CHART_ID, (11, 3.9)) as fig:
        acc, strip = fig.subplots(
            2, 1, sharex=True, gridspec_kw={"height_ratios": [4, 1], "hspace": 0.1}
        )
        draw_panel(acc, ACCURACY, results, key="models-accuracy", events=False)
        markers = _mark_model_events(acc, results.events, colors)
        _draw_strip(strip, results, colors)
        strip.set_xlabel("seconds since run start")
        strip.set_xlim(0, results.timeline[-1].t_end)
        _legend(fig, results, colors, markers)
        return _mpl.to_svg(fig, CHART_ID, "accuracy over time with the serving model versions")


def _marker_for(record: EventRecord) -> Marker | None:
    """The mark its event kind declares at the top edge of the accuracy panel, if any."""
    event = from_record(record.model_dump())
    return event.model_marker() if event is not None else None


def _mark_model_events(
    ax: Axes, events: Sequence[EventRecord], colors: dict[str, str]
) -> list[Marker]:
    used: dict[Marker, None] = {}
    for j, event in enumerate(events):
        marker = _marker_for(event)
        if marker is None:
            continue
        used[marker] = None
        # A swap is drawn in the colour of the version it brings in.
        color = colors.get(str(event.data.get("model_version")), marker.color)
        ax.axvline(event.t, color=color, lw=0.9, ls=(0, (2, 2)), zorder=2)
        ax.plot(
            [event.t],
            [1.0],
            marker=marker.shape,
            color=color,
            ms=7,
            transform=ax.get_xaxis_transform(),
            clip_on=False,
            zorder=6,
            gid=f"model-event-{j}",
        )
    return list(used)


def _shares(bins: Sequence[TimelineBin], versions: list[str]) -> list[list[float]]:
    """Each version's share of each bin's versioned answers (0 where a bin has none)."""
    shares = []
    for b in bins:
        total = sum(b.model_versions.values())
        shares.append([b.model_versions.get(v, 0) / total if total else 0.0 for v in versions])
    return [list(col) for col in zip(*shares, strict=True)]


def _draw_strip(ax: Axes, results: Results, colors: dict[str, str]) -> None:
    bins = results.timeline
    versions = list(colors)
    edges = [b.t_start for b in bins] + [bins[-1].t_end]
    low = [0.0] * (len(bins) + 1)
    for i, (version, share) in enumerate(zip(versions, _shares(bins, versions), strict=True)):
        high = [a + b for a, b in zip(low, [*share, share[-1]], strict=True)]
        ax.fill_between(
            edges, low, high, step="post", color=colors[version], lw=0, gid=f"version-strip-{i}"
        )
        low = high
    _mpl.shade_faults(ax, results.faults, edges[-1], "models-strip")
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    ax.grid(False)
    ax.set_ylabel("version")


def _legend(fig: Figure, results: Results, colors: dict[str, str], markers: list[Marker]) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    accuracy = {m.version: m.accuracy for m in results.models}
    handles: list[Any] = [
        Patch(color=c, label=f"{v} ({fmt.ratio(accuracy.get(v))})") for v, c in colors.items()
    ]
    handles += [
        Line2D([], [], color=m.color, marker=m.shape, ls="none", ms=7, label=m.label)
        for m in markers
    ]
    handles.append(Patch(color=_mpl.FAULT_COLOR, alpha=_mpl.FAULT_ALPHA, label="fault window"))
    _mpl.bottom_legend(fig, handles, ncol=3)
