"""The timeline chart: inline SVG, fault windows, events, gaps for bins without data."""

from __future__ import annotations

import re

from harness.report.charts import event_colors, timeline_svg
from harness.results import Results


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


def test_event_colors_are_stable() -> None:
    colors = event_colors(["FaultInjected", "Zeta", "Alpha"])
    assert colors["FaultInjected"] == "#c0392b"
    assert colors["Alpha"] != colors["Zeta"]
    assert event_colors(["Alpha", "Zeta"]) == event_colors(["Zeta", "Alpha"])
