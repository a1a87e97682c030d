"""The drift heatmap's geometry: one cell per feature × window, coloured by PSI band.

Drawn by templates/heatmap.svg.j2 (not matplotlib): every cell carries its own tooltip, and
the template's autoescaping covers feature names.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

from harness.results import Drift, DriftWindow, FaultResult

MINOR = 0.1  # PSI bands: < 0.1 none, 0.1–0.25 minor, >= 0.25 major
MAJOR = 0.25
PSI_CAP = 0.5  # the colour scale saturates here
KS_ALPHA = 0.05
WIDTH = 1100.0
LABEL_CHAR_PX = 6.3  # 11 px sans-serif, on average
RIGHT_W = 78.0  # the non-finite column
LANE_H = 15.0
_BANDS = (  # band, low edge, high edge, colour at low, colour at high
    ("none", 0.0, MINOR, (0xF1, 0xF7, 0xF3), (0xB9, 0xDD, 0xC5)),
    ("minor", MINOR, MAJOR, (0xFC, 0xE4, 0x9E), (0xEE, 0xA6, 0x2E)),
    ("major", MAJOR, PSI_CAP, (0xF0, 0x8E, 0x6B), (0xA5, 0x15, 0x25)),
)


@dataclass(frozen=True)
class Cell:
    """One feature × window cell: where, which PSI band, what its tooltip says."""

    x: float
    y: float
    fill: str
    band: str  # none | minor | major | nodata
    title: str
    ks_drift: bool
    nonfinite: bool
    feature: int
    window: int


@dataclass(frozen=True)
class Text:
    """A label placed in the heatmap; `full` is the untruncated text for its tooltip."""

    x: float
    y: float
    text: str
    full: str = ""
    css: str = ""


@dataclass(frozen=True)
class Lane:
    """A fault's window on the time axis under the grid."""

    x: float
    y: float
    w: float
    name: str
    title: str


@dataclass(frozen=True)
class Swatch:
    """One step of the colour-scale legend."""

    x: float
    w: float
    fill: str


@dataclass(frozen=True)
class Heatmap:
    """Everything the heatmap template draws, in SVG user units."""

    width: float
    height: float
    grid_x: float
    grid_w: float
    grid_h: float
    cell_w: float
    cell_h: float
    cells: list[Cell]
    rows: list[Text]
    nonfinite: list[Text]
    ticks: list[Text]
    lanes: list[Lane]
    legend_y: float
    scale: list[Swatch]
    scale_ticks: list[Text]


def band(psi: float | None) -> str:
    """Name the PSI band of a value: none, minor, major, or nodata for None."""
    if psi is None or math.isnan(psi):
        return "nodata"
    return "none" if psi < MINOR else "minor" if psi < MAJOR else "major"


def psi_color(psi: float) -> str:
    """Colour a PSI value: its band's hue, darker towards the band's upper edge."""
    name = band(psi)
    _, low, high, c0, c1 = next(b for b in _BANDS if b[0] == name)
    f = min(1.0, max(0.0, (psi - low) / (high - low)))
    return "#" + "".join(f"{round(a + (b - a) * f):02x}" for a, b in zip(c0, c1, strict=True))


def build_heatmap(drift: Drift, faults: Sequence[FaultResult]) -> Heatmap:
    """Lay out the drift matrix: rows are features, columns windows, lanes the faults."""
    longest = max((len(f) for f in drift.features), default=4)
    label_w = min(190.0, 12 + LABEL_CHAR_PX * longest)
    cell_w = (WIDTH - label_w - RIGHT_W) / max(1, len(drift.windows))
    cell_h = 18.0 if len(drift.features) <= 40 else 12.0
    grid_h = cell_h * len(drift.features)
    top = 18.0
    lanes = _lanes(drift, faults, label_w, cell_w, top + grid_h + 22)
    legend_y = top + grid_h + 30 + LANE_H * len(lanes)
    scale, scale_ticks = _scale(label_w, legend_y)
    return Heatmap(
        width=WIDTH,
        height=legend_y + 44,
        grid_x=label_w,
        grid_w=cell_w * len(drift.windows),
        grid_h=grid_h,
        cell_w=cell_w,
        cell_h=cell_h,
        cells=_cells(drift, label_w, top, cell_w, cell_h),
        rows=[
            _row_label(f, label_w, top + (i + 0.5) * cell_h) for i, f in enumerate(drift.features)
        ],
        nonfinite=_nonfinite_column(drift, WIDTH - RIGHT_W + 8, top, cell_h),
        ticks=_ticks(drift, label_w, cell_w, top + grid_h + 13),
        lanes=lanes,
        legend_y=legend_y,
        scale=scale,
        scale_ticks=scale_ticks,
    )


def _cells(drift: Drift, x0: float, y0: float, w: float, h: float) -> list[Cell]:
    cells = []
    for f, feature in enumerate(drift.features):
        for col, window in enumerate(drift.windows):
            psi = drift.psi[f][col]
            p = drift.ks_pvalue[f][col]
            share = drift.nonfinite_share[f][col]
            name = band(psi)
            cells.append(
                Cell(
                    x=round(x0 + col * w, 2),
                    y=y0 + f * h,
                    fill=psi_color(psi) if psi is not None and name != "nodata" else "",
                    band=name,
                    title=_tooltip(feature, window, drift.min_rows, psi, p, share),
                    ks_drift=p is not None and p < KS_ALPHA,
                    nonfinite=share > 0,
                    feature=f,
                    window=window.index,
                )
            )
    return cells


def _tooltip(
    feature: str,
    window: DriftWindow,
    min_rows: int,
    psi: float | None,
    p: float | None,
    share: float,
) -> str:
    lines = [f"{feature} · window {window.index} ({window.start_s:g}–{window.end_s:g} s)"]
    if psi is None:
        lines.append(_not_enough(window, min_rows))
    else:
        lines.append(
            f"PSI {psi:.3f} ({band(psi)} drift)" if band(psi) != "none" else f"PSI {psi:.3f}"
        )
    if p is not None:
        lines.append(f"KS p = {p:.3g}" + (" (drift)" if p < KS_ALPHA else ""))
    lines.append(f"non-finite values: {share:.1%}")
    return "\n".join(lines)


def _not_enough(window: DriftWindow, min_rows: int) -> str:
    """Why a cell was not judged: a small window is not enough data, never drift."""
    if not min_rows:  # results written before windows recorded their size
        return "PSI: no data — not enough data to judge (too few rows)"
    if window.requests < min_rows:
        return f"PSI: no data — not enough data to judge ({window.requests} requests; needs {min_rows})"
    return f"PSI: no data — not enough data to judge (under {min_rows} finite values)"


def _row_label(feature: str, width: float, y: float) -> Text:
    room = int((width - 12) / LABEL_CHAR_PX)
    text = feature if len(feature) <= room else feature[: room - 1] + "…"
    return Text(width - 6, y, text, full=feature)


def _nonfinite_column(drift: Drift, x: float, y0: float, h: float) -> list[Text]:
    texts = []
    for f, shares in enumerate(drift.nonfinite_share):
        worst = max(shares, default=0.0)
        css = "nf-some" if worst > 0 else "nf-none"
        texts.append(Text(x, y0 + (f + 0.5) * h, f"{worst:.1%}" if worst > 0 else "0%", css=css))
    return texts


def _ticks(drift: Drift, x0: float, w: float, y: float) -> list[Text]:
    """Window start times under the grid, thinned so that labels keep 40 px apart."""
    step = max(1, math.ceil(40 / w))
    return [
        Text(round(x0 + col * w, 2), y, f"{window.start_s:g} s")
        for col, window in enumerate(drift.windows)
        if col % step == 0
    ]


def _time_to_x(drift: Drift, x0: float, w: float, t: float) -> float:
    """Place a time on the window axis (windows may differ in length; clamp outside)."""
    starts = [win.start_s for win in drift.windows]
    col = bisect.bisect_right(starts, t) - 1
    if col < 0:
        return x0
    window = drift.windows[col]
    span = window.end_s - window.start_s
    inside = min(1.0, (t - window.start_s) / span) if span > 0 else 1.0
    return x0 + (col + inside) * w


def _lanes(
    drift: Drift, faults: Sequence[FaultResult], x0: float, w: float, y0: float
) -> list[Lane]:
    if not drift.windows:
        return []
    end = drift.windows[-1].end_s
    lanes: list[Lane] = []
    for fault in faults:
        if fault.injected_at is None:
            continue
        stop = fault.reverted_at if fault.reverted_at is not None else end
        a = _time_to_x(drift, x0, w, fault.injected_at)
        b = _time_to_x(drift, x0, w, stop)
        title = f"{fault.name} ({fault.kind}) t+{fault.injected_at:g}–{stop:g} s"
        lanes.append(
            Lane(
                round(a, 2), y0 + LANE_H * len(lanes), round(max(b - a, 2.0), 2), fault.name, title
            )
        )
    return lanes


def _scale(x0: float, y: float) -> tuple[list[Swatch], list[Text]]:
    """The colour scale: 0 … PSI_CAP in 60 steps, ticks at the band edges."""
    width, steps = 300.0, 60
    swatches = [
        Swatch(round(x0 + i * width / steps, 2), round(width / steps + 0.3, 2),
               psi_color(PSI_CAP * (i + 0.5) / steps))
        for i in range(steps)
    ]  # fmt: skip
    ticks = [
        Text(round(x0 + width * v / PSI_CAP, 2), y + 26, label)
        for v, label in ((0.0, "0"), (MINOR, "0.1"), (MAJOR, "0.25"), (PSI_CAP, "≥ 0.5"))
    ]
    return swatches, ticks
