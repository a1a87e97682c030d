"""What every matplotlib chart of the report shares: style, fault shading, SVG inlining."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from harness.results import FaultResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

LINE_COLOR = "#1f4e79"
FAULT_COLOR = "#e74c3c"
FAULT_ALPHA = 0.12
GAP_COLOR = "#9aa5b1"
MARGIN_LEFT = 0.85  # inches: tick labels like 100.00% and the y label
LEGEND_ROW = 0.2  # inches per legend row
CHAR_SHARE = 0.0075  # share of an 11-inch chart's x axis one 8 pt character takes
RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "harness-report",
    "font.size": 9,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Helvetica", "Arial"],
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e6e8eb",
    "grid.linewidth": 0.6,
    "axes.edgecolor": "#9aa5b1",
    "axes.labelcolor": "#333333",
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "axes.axisbelow": True,
    "text.parse_math": False,  # a '$' in a fault name is just a '$'
}
_NO_METADATA = {"Creator": None, "Date": None, "Format": None, "Type": None}


@contextmanager
def figure(chart_id: str, size: tuple[float, float], *, top: float = 0.3) -> Iterator[Figure]:
    """Give a blank figure styled for the report (lazy import: the CLI must start fast).

    Margins are fixed, in inches: a tight bounding box would draw every chart twice.
    """
    import matplotlib
    from matplotlib.figure import Figure

    width, height = size
    # Clip-path ids derive from the salt; one salt per chart keeps ids unique on the page.
    with matplotlib.rc_context({**RC, "svg.hashsalt": f"harness-report-{chart_id}"}):
        fig = Figure(figsize=size)
        fig.subplots_adjust(
            left=MARGIN_LEFT / width,
            right=1 - 0.2 / width,
            top=1 - top / height,
            bottom=0.6 / height,
        )
        yield fig


def to_svg(fig: Figure, chart_id: str, label: str) -> str:
    """Save `fig` as an inline <svg> element with this id and accessible label."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata=_NO_METADATA)
    return inline(buf.getvalue(), chart_id, label)


def fault_end(fault: FaultResult, end: float) -> float:
    """When a fault's window closes on the chart: its revert, or the end of the data."""
    return fault.reverted_at if fault.reverted_at is not None else end


def shade_faults(ax: Axes, faults: Sequence[FaultResult], end: float, key: str) -> None:
    """Shade every injected fault's window, each with the gid fault-window-<i>-<key>."""
    for i, fault in enumerate(faults):
        if fault.injected_at is not None:
            ax.axvspan(
                fault.injected_at,
                fault_end(fault, end),
                color=FAULT_COLOR,
                alpha=FAULT_ALPHA,
                lw=0,
                zorder=0,
                gid=f"fault-window-{i}-{key}",
            )


def label_faults(ax: Axes, faults: Sequence[FaultResult], end: float) -> None:
    """Name each fault (and its kind) inside its window, near the bottom of `ax`."""
    placed: list[list[tuple[float, float]]] = []  # per level: the label spans already there
    for fault in faults:
        if fault.injected_at is None:
            continue
        stop = fault_end(fault, end)
        suffix = "" if fault.reverted_at is not None else " (not reverted)"
        text = f"{fault.name}{suffix}\n{fault.kind}"
        center = (fault.injected_at + stop) / 2
        half = CHAR_SHARE * end * max(len(line) for line in text.splitlines()) / 2
        level = _free_level(placed, center - half, center + half)
        ax.text(
            center,
            0.06 + 0.24 * level,  # overlapping windows stack their labels
            text,
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=8,
            color="#922b21",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "none", "alpha": 0.8},
        )


def _free_level(placed: list[list[tuple[float, float]]], low: float, high: float) -> int:
    """The lowest level where [low, high] overlaps no span placed there; claim it."""
    for level, spans in enumerate(placed):
        if all(high < a or low > b for a, b in spans):
            spans.append((low, high))
            return level
    placed.append([(low, high)])
    return len(placed) - 1


def bottom_legend(fig: Figure, handles: list[Any], *, ncol: int = 5) -> None:
    """Put a frameless legend at the bottom, and room for it and the x label above it."""
    ncol = max(1, min(len(handles), ncol))
    rows = -(-len(handles) // ncol)
    fig.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        frameon=False,
        ncol=ncol,
        fontsize=8.5,
    )
    fig.subplots_adjust(bottom=(0.55 + LEGEND_ROW * rows) / fig.get_figheight())


_GEOMETRY = re.compile(r'\b(d|x|y|x1|x2|y1|y2|width|height|viewBox|transform)="([^"]*)"')
_LONG_NUMBER = re.compile(r"(-?\d+\.\d{2})\d+")


def _round_attribute(match: re.Match[str]) -> str:
    return f'{match[1]}="{_LONG_NUMBER.sub(_keep_two_decimals, match[2])}"'


def _keep_two_decimals(match: re.Match[str]) -> str:
    return match[1]


def inline(svg: str, chart_id: str, label: str) -> str:
    """Make matplotlib's SVG document an element to embed in HTML: no prologue, no URLs."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'\s+xmlns(?::\w+)?="[^"]*"', "", svg)  # HTML parsers need no namespaces
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    # Its <style> would apply to the whole page; scope it to the chart.
    svg = svg.replace("*{stroke-linejoin", f"#{chart_id} *{{stroke-linejoin")
    # matplotlib numbers its elements (figure_1, axes_1...) per figure; prefix them with the
    # chart's id so ids stay unique on a page with several charts.
    svg = re.sub(r'\bid="([A-Za-z0-9.]+_\d+)"', rf'id="{chart_id}-\1"', svg)
    # Hundredths of a point are plenty on screen and halve the size.
    svg = _GEOMETRY.sub(_round_attribute, svg)
    return svg.replace("<svg", f'<svg id="{chart_id}" role="img" aria-label="{label}"', 1).strip()
