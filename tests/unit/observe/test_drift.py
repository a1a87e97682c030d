"""Drift score: PSI and KS per feature and window, checked against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from harness.observe.drift import drift_matrix, ks_test, psi, psi_band


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def psi_by_numpy(ref: np.ndarray, cur: np.ndarray) -> float:
    """Evidently's recipe written with np.histogram (n ≤ 10000, so an empty bin is 0.0001)."""
    edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
    r = np.histogram(ref, edges)[0] / len(ref)
    c = np.histogram(cur, edges)[0] / len(cur)
    r, c = np.where(r == 0, 1e-4, r), np.where(c == 0, 1e-4, c)
    return float(np.sum((r - c) * np.log(r / c)))


def test_psi_on_a_hand_made_three_bin_example() -> None:
    ref = np.array([0.0] * 50 + [1.0] * 30 + [2.0] * 20)
    cur = np.array([0.0] * 20 + [1.0] * 30 + [2.0] * 50)
    # shares (0.5, 0.3, 0.2) against (0.2, 0.3, 0.5): the middle bin adds nothing
    expected = (0.5 - 0.2) * math.log(0.5 / 0.2) + (0.2 - 0.5) * math.log(0.2 / 0.5)
    assert psi(ref, cur) == pytest.approx(expected, rel=1e-12)


def test_a_value_unseen_in_the_reference_gets_the_empty_share() -> None:
    ref = np.array([0.0] * 50 + [1.0] * 50)
    cur = np.array([0.0] * 50 + [1.0] * 40 + [2.0] * 10)
    expected = (
        (0.5 - 0.4) * math.log(0.5 / 0.4) + (1e-4 - 0.1) * math.log(1e-4 / 0.1)  # 0.5→0.5: 0
    )
    assert psi(ref, cur) == pytest.approx(expected, rel=1e-12)


def test_identical_distributions_score_zero() -> None:
    x = rng().normal(size=3000)
    assert psi(x, x.copy()) == pytest.approx(0.0, abs=1e-12)
    assert psi_band(psi(x, x)) == "none"
    d, p = ks_test(x, x)
    assert d == 0.0
    assert p == pytest.approx(1.0)


def test_two_samples_of_one_distribution_show_no_drift() -> None:
    ref, cur = rng(1).normal(size=5000), rng(2).normal(size=2000)
    value = psi(ref, cur)
    assert value == pytest.approx(psi_by_numpy(ref, cur), rel=1e-9)
    assert psi_band(value) == "none"
    assert ks_test(ref, cur)[1] > 0.05


def test_a_one_std_shift_is_major_drift_of_the_expected_size() -> None:
    ref, cur = rng(1).normal(size=5000), rng(2).normal(loc=1.0, size=2000)
    value = psi(ref, cur)
    assert value == pytest.approx(psi_by_numpy(ref, cur), rel=1e-9)
    # Unbinned, PSI is the symmetric KL divergence: Δμ²/σ² = 1.0 for N(0,1) vs N(1,1);
    # ~13 Sturges bins lose a little of it.
    assert 0.85 < value < 1.05
    assert psi_band(value) == "major"
    assert ks_test(ref, cur)[1] < 0.05


def test_scaling_by_100_is_major() -> None:
    x = rng(3).normal(size=2000)
    assert psi_band(psi(x, x * 100)) == "major"


def test_psi_bands_at_their_edges() -> None:
    assert [psi_band(v) for v in (0.0, 0.0999, 0.1, 0.2499, 0.25, 3.0)] == [
        "none",
        "none",
        "minor",
        "minor",
        "major",
        "major",
    ]


@pytest.mark.parametrize("seed", range(40))
def test_ks_matches_scipy(seed: int) -> None:
    g = rng(seed)
    n, m = int(g.integers(5, 400)), int(g.integers(5, 400))
    if seed % 2:  # few distinct values: ties inside and across the samples
        ref, cur = g.integers(0, 8, n).astype(float), g.integers(1, 9, m).astype(float)
    else:
        ref, cur = g.normal(size=n), g.normal(0.2, 1.3, size=m)
    d, p = ks_test(ref, cur)
    expected = stats.ks_2samp(ref, cur, method="asymp")
    assert d == pytest.approx(expected.statistic, abs=1e-12)
    assert p == pytest.approx(expected.pvalue, abs=0.025)


def test_ks_p_value_is_close_to_scipy_near_the_threshold() -> None:
    ref, cur = rng(5).normal(size=2000), rng(6).normal(loc=0.07, size=2000)
    p = ks_test(ref, cur)[1]
    assert 0.005 < p < 0.5  # the interesting zone
    assert p == pytest.approx(stats.ks_2samp(ref, cur, method="asymp").pvalue, abs=0.002)


def test_nonfinite_values_are_dropped_before_the_tests() -> None:
    x = rng(7).normal(size=500)
    dirty = np.concatenate([x, [np.nan, np.inf, -np.inf]])
    assert psi(x, dirty) == pytest.approx(0.0, abs=1e-12)
    assert ks_test(dirty, x)[0] == 0.0
    with pytest.raises(ValueError):
        psi(x, np.full(10, np.nan))


def stream(
    rows_per_window: int, windows: int, features: int = 2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Rows from N(0,1) spread evenly over `windows` windows of 10 s."""
    g = rng(seed)
    n = rows_per_window * windows
    times = (np.arange(n) + 0.5) * (10.0 / rows_per_window)
    return times, g.normal(size=(n, features))


def test_matrix_scores_each_feature_in_each_window() -> None:
    reference = rng(1).normal(size=(3000, 2))
    times, current = stream(500, 6)
    current[times >= 30, 1] += 1.0  # feature b drifts from the fourth window on
    m = drift_matrix(reference, times, current, ["a", "b"], 10.0, 0.0, 60.0)
    assert [w.start_s for w in m.windows] == [0, 10, 20, 30, 40, 50]
    assert len(m.cells) == 12
    assert all(m.cell("a", w).psi_band == "none" for w in range(6))
    assert [m.cell("b", w).psi_band for w in range(6)] == ["none"] * 3 + ["major"] * 3
    assert [m.cell("b", w).ks_drift for w in range(6)] == [False] * 3 + [True] * 3
    assert all(c.n == 500 and c.nonfinite_share == 0.0 for c in m.cells)
    maxima = m.max_psi_by_window()
    assert maxima[4] == m.cell("b", 4).psi
    assert maxima[0] is not None and maxima[0] < 0.1


def test_cells_agree_with_the_one_pair_functions() -> None:
    reference = rng(1).normal(size=(1000, 1))
    times, current = stream(300, 2)
    m = drift_matrix(reference, times, current[:, :1], ["a"], 10.0, 0.0, 20.0)
    window = current[times >= 10, 0]
    cell = m.cell("a", 1)
    assert cell.psi == pytest.approx(psi(reference[:, 0], window), rel=1e-12)
    assert (cell.ks_stat, cell.ks_pvalue) == pytest.approx(ks_test(reference[:, 0], window))


def test_a_null_flood_is_reported_and_an_all_null_window_has_no_score() -> None:
    reference = rng(1).normal(size=(1000, 1))
    times, current = stream(200, 3, features=1)
    current[(times >= 10) & (times < 20) & (np.arange(len(times)) % 5 < 3), 0] = np.nan
    current[times >= 20, 0] = np.inf
    m = drift_matrix(reference, times, current, ["a"], 10.0, 0.0, 30.0)
    flood, gone = m.cell("a", 1), m.cell("a", 2)
    assert flood.nonfinite_share == pytest.approx(0.6)
    assert flood.n == 80
    assert flood.psi is not None
    assert gone.nonfinite_share == 1.0
    assert (gone.psi, gone.psi_band, gone.ks_stat, gone.ks_pvalue, gone.n) == (
        None,
        None,
        None,
        None,
        0,
    )
    assert gone.ks_drift is None


def test_small_and_empty_windows_give_none_not_an_error() -> None:
    reference = rng(1).normal(size=(1000, 1))
    times = np.array([1.0] * 29 + [15.0] * 30)
    current = rng(2).normal(size=(59, 1))
    m = drift_matrix(reference, times, current, ["a"], 10.0, 0.0, 30.0)
    small, enough, empty = (m.cell("a", w) for w in range(3))
    assert small.psi is None and small.ks_pvalue is None and small.n == 29
    assert enough.psi is not None and enough.n == 30
    assert empty.psi is None and empty.n == 0 and empty.nonfinite_share == 0.0
    assert m.max_psi_by_window()[2] is None


def test_a_tiny_reference_gives_none_everywhere() -> None:
    times, current = stream(100, 2, features=1)
    m = drift_matrix(np.zeros((5, 1)), times, current, ["a"], 10.0, 0.0, 20.0)
    assert all(c.psi is None and c.n == 100 for c in m.cells)


def test_windows_cover_start_to_end_and_drop_rows_outside() -> None:
    reference = rng(1).normal(size=(500, 1))
    times = np.array([-1.0, 5.0, 10.0, 24.9, 25.0, 30.0, np.nan])
    current = np.ones((7, 1))
    m = drift_matrix(reference, times, current, ["a"], 10.0, 5.0, 25.0, min_rows=1)
    assert [(w.start_s, w.end_s) for w in m.windows] == [(5.0, 15.0), (15.0, 25.0)]
    assert [m.cell("a", w).n for w in range(2)] == [2, 1]

    partial = drift_matrix(reference, times, current, ["a"], 10.0, 0.0, 25.0, min_rows=1)
    assert [(w.start_s, w.end_s) for w in partial.windows] == [(0, 10), (10, 20), (20, 25)]
    assert [partial.cell("a", w).n for w in range(3)] == [1, 1, 1]  # 25.0 and 30.0 are out


def test_bad_shapes_and_windows_are_programming_errors() -> None:
    reference = np.zeros((10, 2))
    with pytest.raises(ValueError, match="times"):
        drift_matrix(reference, np.zeros(3), np.zeros((4, 2)), ["a", "b"], 10.0, 0.0, 10.0)
    with pytest.raises(ValueError, match="windows"):
        drift_matrix(reference, np.zeros(4), np.zeros((4, 2)), ["a", "b"], 0.0, 0.0, 10.0)


def test_clean_windows_of_the_judged_size_stay_below_major() -> None:
    """The noise floor the run's window size rests on (harness/score/drift_scores.py)."""
    from harness.score.drift_scores import MIN_WINDOW_ROWS

    g = rng(11)
    n, windows = 5000, 150
    columns = [g.normal(size=n), g.lognormal(3, 1, n), g.exponential(2, n), g.uniform(size=n)]
    population = np.stack(columns * 5, axis=1)  # 20 features, as the reference stack's
    picks = g.integers(0, n, MIN_WINDOW_ROWS * windows)
    times = (np.arange(MIN_WINDOW_ROWS * windows) + 0.5) / MIN_WINDOW_ROWS
    names = [f"f{j}" for j in range(20)]
    m = drift_matrix(population, times, population[picks], names, 1.0, 0.0, float(windows),
                     min_rows=MIN_WINDOW_ROWS)  # fmt: skip
    worst = max(v for v in m.max_psi_by_window() if v is not None)
    assert worst < 0.25
    # 100-row windows (the short last window that read as drift): noise alone reaches "major"
    small = drift_matrix(population, times, population[picks], names, 100 / MIN_WINDOW_ROWS,
                         0.0, float(windows))  # fmt: skip
    assert max(v for v in small.max_psi_by_window() if v is not None) >= 0.25
