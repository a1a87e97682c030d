"""The timeline chart: inline SVG, fault windows, events, gaps for bins without data."""

from __future__ import annotations

import re

from harness import events
from harness.report.charts import PANELS, draw_panel, event_colors, timeline_svg
from harness.results import EventRecord, Results


def test_inline_svg_element(results: Results) -> None:
    svg = timeline_svg(results)
    assert svg.startswith('<svg id="timeline-chart"')
    assert svg.endswith("</svg>")
    assert "xmlns" not in svg and "http" not in svg and "<!--" not in svg
    assert "font-family" in svg  # text stays text (svg.fonttype none), no glyph paths


def test_fault_windows_and_events_on_every_panel(results: Results) -> None:
    svg = timeline_svg(results)
    for panel in ("success_ratio", "p99_ms", "accuracy"):
        assert f'id="fault-window-0-{panel}"' in svg
        assert f'id="series-{panel}"' in svg
    drawn = {int(m) for m in re.findall(r'id="event-(\d+)-success_ratio"', svg)}
    expected = {i for i, e in enumerate(results.events) if e.type != "PhaseStarted"}
    assert drawn == expected
    assert "primary-region-down" in svg


def test_none_metrics_are_gaps_not_zeros(results: Results) -> None:
    svg = timeline_svg(results)
    series = re.search(r'<g id="series-success_ratio">\s*<path d="([^"]*)"', svg, re.DOTALL)
    assert series
    # A gap splits the step line into separate sub-paths (one extra 'M' per gap).
    assert series[1].count("M") == 2


def test_no_bins_no_chart(results: Results) -> None:
    assert timeline_svg(results.model_copy(update={"timeline": []})) == ""


def test_all_none_panel_says_no_data(results: Results) -> None:
    bins = [b.model_copy(update={"accuracy": None}) for b in results.timeline]
    assert "no data" in timeline_svg(results.model_copy(update={"timeline": bins}))


def _catalog_kinds() -> set[str]:
    """The names of every event class events.py defines, found by walking the subclasses."""
    found, todo = set(), list(events.Event.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__ == events.__name__:
            found.add(cls.__name__)
    return found


def test_event_colours_are_the_catalogs_kinds() -> None:
    colors = event_colors([])
    assert set(colors) == _catalog_kinds()
    assert {"InstancePaused", "InstanceResumed", "InstanceHealthChanged"} <= set(colors)
    assert "OperatorNote" not in colors
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colors.values())


def test_a_kind_keeps_its_colour_whatever_else_the_run_holds() -> None:
    assert event_colors(["FaultInjected"])["FaultInjected"] == "#c0392b"
    alone = event_colors(["Zeta"])["Zeta"]  # a kind the catalog lacks (an older run's)
    assert event_colors(["Alpha", "Beta", "Zeta"])["Zeta"] == alone
    assert event_colors(["Zeta", "Alpha"]) == event_colors(["Alpha", "Zeta"])


def test_event_lines_take_their_kinds_colour(results: Results) -> None:
    paused = EventRecord(t=50.0, type="InstancePaused", message="x paused", data={"instance": "x"})
    svg = timeline_svg(results.model_copy(update={"events": [*results.events, paused]}))
    line = re.search(
        rf'<g id="event-{len(results.events)}-success_ratio">.*?stroke: (#[0-9a-f]{{6}})',
        svg,
        re.DOTALL,
    )
    assert line and line[1] == event_colors([])["InstancePaused"]


def _ratio_axis(results: Results, ratio: float) -> tuple[tuple[float, float], list[str]]:
    from matplotlib.figure import Figure

    bins = [b.model_copy(update={"success_ratio": ratio}) for b in results.timeline]
    flat = results.model_copy(update={"timeline": bins, "slos": []})
    ax = Figure(figsize=(11, 2.4)).subplots()
    draw_panel(ax, PANELS[0], flat)
    label = ax.yaxis.get_major_formatter()
    low, high = ax.get_ylim()
    return (low, high), [label(t) for t in ax.get_yticks() if low <= t <= high]


def test_a_success_ratio_at_100_percent_has_no_tick_above_it(results: Results) -> None:
    (low, high), labels = _ratio_axis(results, 1.0)
    assert labels[-1] == "100%"
    assert all(float(x.rstrip("%")) <= 100 for x in labels)
    assert low <= 0.95 and high < 1.01  # a few points of room below, the line not on the frame


def test_a_ratio_axis_never_labels_more_than_100_percent(results: Results) -> None:
    for ratio in (0.0, 0.5, 0.97, 0.999):
        _, labels = _ratio_axis(results, ratio)
        assert max(float(x.rstrip("%")) for x in labels) == 100
