"""The drift heatmap's layout: PSI bands and colours, KS markers, no-data cells, fault lanes."""

from __future__ import annotations

import pytest

from harness.report.heatmap import band, build_heatmap, psi_color
from harness.results import Drift, DriftWindow, FaultResult


def _drift(features: int, windows: int, psi: float | None = 0.05) -> Drift:
    return Drift(
        window_s=20.0,
        features=[f"feature_{i}" for i in range(features)],
        windows=[
            DriftWindow(index=w, start_s=20.0 * w, end_s=20.0 * (w + 1)) for w in range(windows)
        ],
        psi=[[psi] * windows for _ in range(features)],
        ks_pvalue=[[0.5] * windows for _ in range(features)],
        nonfinite_share=[[0.0] * windows for _ in range(features)],
    )


def _fault(name: str, at: float, until: float | None) -> FaultResult:
    return FaultResult(
        name=name, kind="partition", target="us-east-1 and eu-west-1", injected_at=at,
        reverted_at=until, time_to_recover_s=None, recovered=False, requests=0, errors=0,
        availability=None, p99_ms=None, accuracy=None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("psi", "expected"),
    [(0.0, "none"), (0.0999, "none"), (0.1, "minor"), (0.2499, "minor"), (0.25, "major"),
     (3.0, "major"), (None, "nodata"), (float("nan"), "nodata")],
)  # fmt: skip
def test_band_edges(psi: float | None, expected: str) -> None:
    assert band(psi) == expected


def test_each_band_has_its_own_hue_and_darkens_within() -> None:
    none, minor, major = psi_color(0.05), psi_color(0.15), psi_color(0.4)
    assert len({none, minor, major}) == 3
    assert psi_color(0.1) != psi_color(0.0999)  # the band edge is a visible step
    assert psi_color(0.3) != psi_color(0.45)
    assert psi_color(0.5) == psi_color(7.0)  # saturates


def test_twenty_features_by_thirty_windows_fit_the_width() -> None:
    heatmap = build_heatmap(_drift(20, 30), [])
    assert len(heatmap.cells) == 600
    assert {(c.feature, c.window) for c in heatmap.cells} == {
        (f, w) for f in range(20) for w in range(30)
    }
    assert heatmap.cell_w >= 25  # wide enough for a dot and a hover
    assert heatmap.grid_x + heatmap.grid_w <= heatmap.width
    assert 2 <= len(heatmap.ticks) < 30  # labels thinned so they do not collide


def test_ks_marker_nonfinite_corner_and_tooltip() -> None:
    drift = _drift(2, 3)
    drift.psi[1][2] = 0.31
    drift.ks_pvalue[1][2] = 0.001
    drift.nonfinite_share[0][1] = 0.25
    cells = {(c.feature, c.window): c for c in build_heatmap(drift, []).cells}
    hot = cells[1, 2]
    assert hot.band == "major" and hot.fill == psi_color(0.31) and hot.ks_drift
    assert "PSI 0.310 (major drift)" in hot.title and "KS p = 0.001 (drift)" in hot.title
    assert not cells[0, 0].ks_drift and not cells[0, 0].nonfinite
    assert cells[0, 1].nonfinite and "non-finite values: 25.0%" in cells[0, 1].title


def test_none_cells_are_no_data() -> None:
    drift = _drift(1, 2)
    drift.psi[0][1] = None
    drift.ks_pvalue[0][1] = None
    cell = build_heatmap(drift, []).cells[1]
    assert cell.band == "nodata" and cell.fill == "" and not cell.ks_drift
    assert "not enough data" in cell.title


def test_a_window_too_small_to_judge_says_not_enough_data_with_its_size() -> None:
    drift = _drift(2, 3).model_copy(update={"min_rows": 360})
    sizes = (400, 400, 100)  # the last window is short
    drift.windows = [
        w.model_copy(update={"requests": n}) for w, n in zip(drift.windows, sizes, strict=True)
    ]
    for row in (*drift.psi, *drift.ks_pvalue):
        row[2] = None
    drift.psi[1][1] = drift.ks_pvalue[1][1] = None  # a feature mostly NaN in a full window
    cells = {(c.feature, c.window): c for c in build_heatmap(drift, []).cells}
    assert all(cells[f, 2].band == "nodata" for f in range(2))
    assert "not enough data to judge (100 requests; needs 360)" in cells[0, 2].title
    assert "drift" not in cells[0, 2].title.split("\n")[1].replace("not enough data", "")
    assert "not enough data to judge (under 360 finite values)" in cells[1, 1].title


def test_long_feature_names_are_cut_with_the_full_name_kept() -> None:
    drift = _drift(1, 4).model_copy(update={"features": ["x" * 80]})
    (row,) = build_heatmap(drift, []).rows
    assert row.text.endswith("…") and len(row.text) < 80 and row.full == "x" * 80


def test_fault_lanes_follow_the_window_axis() -> None:
    heatmap = build_heatmap(
        _drift(3, 10), [_fault("cut", 40.0, 100.0), _fault("open", 150.0, None)]
    )
    cut, still_open = heatmap.lanes
    left = heatmap.grid_x
    assert cut.x == pytest.approx(left + 2 * heatmap.cell_w)  # t=40 s starts window 2
    assert cut.w == pytest.approx(3 * heatmap.cell_w)
    assert still_open.x + still_open.w == pytest.approx(left + heatmap.grid_w)  # to the end
    assert still_open.y > cut.y  # one lane each


def test_fault_never_injected_gets_no_lane() -> None:
    assert build_heatmap(_drift(1, 2), [_fault("late", 0.0, 1.0).model_copy(
        update={"injected_at": None})]).lanes == []  # fmt: skip
