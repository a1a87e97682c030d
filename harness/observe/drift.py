"""The harness's drift score: PSI and two-sample KS per feature between the baseline and windows.

Definitions (the README quotes them):
- Non-finite values (NaN, ±inf) are dropped before both tests; each cell reports their share
  among the window's rows, because a flood of nulls is itself drift the user must see.
- PSI = Σ (ref_i − cur_i)·ln(ref_i / cur_i) over bins, binned as Evidently does: when the
  reference has more than 20 unique values, Sturges bins (numpy's `"sturges"`) over the range of
  reference ∪ window; otherwise one bin per value seen in either. An empty bin's share becomes
  0.0001 (or, when some observed share is already ≤ 0.0001, that smallest share / 10⁶).
  Bands: < 0.1 none, 0.1–0.25 minor, ≥ 0.25 major.
- KS: the two-sample Kolmogorov–Smirnov statistic D = sup |F_ref − F_cur| (exactly
  scipy.stats.ks_2samp's), two-sided p-value from Kolmogorov's limit with Stephens' correction,
  Q((√N + 0.12 + 0.11/√N)·D) with N = n·m/(n + m) (within 0.001 of ks_2samp's "asymp" p near
  0.05); drift when p < 0.05, uncorrected for the number of features, as Evidently.
- A window (or a reference) with fewer than `min_rows` finite values gets psi and KS None.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import special

PSI_MINOR = 0.1
PSI_MAJOR = 0.25
KS_ALPHA = 0.05
MIN_ROWS = 30
_MAX_CATEGORIES = 20  # Evidently bins a column with at most this many unique values by value
_EMPTY_SHARE = 1e-4


@dataclass(frozen=True)
class DriftCell:
    """Drift of one feature in one window; psi/KS None when there were too few finite values.

    `n` counts the window's finite values (what the tests used); `nonfinite_share` is the share
    of the window's rows whose value was NaN or ±inf (0.0 for an empty window).
    """

    feature: str
    window: int
    psi: float | None
    psi_band: str | None
    ks_stat: float | None
    ks_pvalue: float | None
    nonfinite_share: float
    n: int

    @property
    def ks_drift(self) -> bool | None:
        """Whether the KS test calls drift (p < 0.05); None when it was not run."""
        return None if self.ks_pvalue is None else self.ks_pvalue < KS_ALPHA


@dataclass(frozen=True)
class DriftWindow:
    """One time window [start_s, end_s), seconds since run start."""

    index: int
    start_s: float
    end_s: float


@dataclass(frozen=True)
class DriftMatrix:
    """Drift cells of every feature in every window, window-major."""

    features: tuple[str, ...]
    windows: tuple[DriftWindow, ...]
    cells: tuple[DriftCell, ...]

    def cell(self, feature: str, window: int) -> DriftCell:
        """Return the cell of `feature` in window number `window`."""
        return self.cells[window * len(self.features) + self.features.index(feature)]

    def max_psi_by_window(self) -> tuple[float | None, ...]:
        """The largest PSI over the features of each window (None when no feature had one)."""
        out = []
        for w in range(len(self.windows)):
            row = self.cells[w * len(self.features) : (w + 1) * len(self.features)]
            values = [c.psi for c in row if c.psi is not None]
            out.append(max(values) if values else None)
        return tuple(out)


@dataclass(frozen=True)
class _Reference:
    """One feature's baseline, prepared once: its finite values sorted, and their unique values."""

    values: np.ndarray
    unique: np.ndarray

    @classmethod
    def of(cls, column: np.ndarray) -> _Reference:
        values = _finite_sorted(column)
        return cls(values, _unique_sorted(values))


def psi(reference: np.ndarray, current: np.ndarray) -> float:
    """Return the PSI of `current` against `reference` (1-D; non-finite values dropped)."""
    ref = _Reference.of(np.asarray(reference, dtype=np.float64))
    cur = _finite_sorted(np.asarray(current, dtype=np.float64))
    if not len(ref.values) or not len(cur):
        raise ValueError("psi needs at least one finite value on each side")
    return _psi_sorted(ref, cur)


def psi_band(value: float) -> str:
    """Name the usual band of a PSI value: none (< 0.1), minor (< 0.25) or major."""
    if value < PSI_MINOR:
        return "none"
    return "minor" if value < PSI_MAJOR else "major"


def ks_test(reference: np.ndarray, current: np.ndarray) -> tuple[float, float]:
    """Return the two-sample KS statistic and its p-value (1-D; non-finite values dropped)."""
    ref = _finite_sorted(np.asarray(reference, dtype=np.float64))
    cur = _finite_sorted(np.asarray(current, dtype=np.float64))
    if not len(ref) or not len(cur):
        raise ValueError("ks_test needs at least one finite value on each side")
    return _ks_sorted(ref, cur)


def drift_matrix(
    reference: np.ndarray,
    times: np.ndarray,
    current: np.ndarray,
    names: Sequence[str],
    window_s: float,
    start_s: float,
    end_s: float,
    min_rows: int = MIN_ROWS,
) -> DriftMatrix:
    """Score every feature of `current` against `reference` in windows of `window_s` seconds.

    `reference` [n_ref, f] holds the baseline rows, `current` [n, f] the rows to judge and
    `times` [n] their seconds since run start. Windows run from `start_s` to `end_s` (the last
    one may be shorter); rows outside [start_s, end_s) are ignored.
    """
    ref = np.asarray(reference, dtype=np.float64).reshape(-1, len(names))
    cur = np.asarray(current, dtype=np.float64).reshape(-1, len(names))
    t = np.asarray(times, dtype=np.float64).reshape(-1)
    if len(t) != len(cur):
        raise ValueError(f"{len(t)} times for {len(cur)} rows")
    if not (window_s > 0 and end_s > start_s):
        raise ValueError(f"bad windows: window_s={window_s}, [{start_s}, {end_s})")
    windows = _windows(window_s, start_s, end_s)
    refs = [_Reference.of(ref[:, j]) for j in range(len(names))]
    cells: list[DriftCell] = []
    for window, rows in zip(windows, _split_rows(t, windows), strict=True):
        cells.extend(_window_cells(names, refs, cur[rows], window.index, min_rows))
    return DriftMatrix(tuple(names), tuple(windows), tuple(cells))


def _windows(window_s: float, start_s: float, end_s: float) -> list[DriftWindow]:
    # The tolerance keeps float noise (600.0000001 / 10) from adding an empty last window.
    count = max(1, math.ceil((end_s - start_s) / window_s - 1e-9))
    return [
        DriftWindow(i, start_s + i * window_s, min(start_s + (i + 1) * window_s, end_s))
        for i in range(count)
    ]


def _split_rows(t: np.ndarray, windows: Sequence[DriftWindow]) -> list[np.ndarray]:
    """Row indices of each window; one stable sort instead of a mask per window."""
    start_s, end_s = windows[0].start_s, windows[-1].end_s
    width = windows[0].end_s - start_s
    idx = np.floor((t - start_s) / width)
    idx[~((t >= start_s) & (t < end_s))] = -1  # also drops NaN times
    order = np.argsort(idx, kind="stable")
    bounds = np.searchsorted(idx[order], np.arange(len(windows) + 1), side="left")
    return [order[bounds[i] : bounds[i + 1]] for i in range(len(windows))]


def _window_cells(
    names: Sequence[str], refs: Sequence[_Reference], rows: np.ndarray, window: int, min_rows: int
) -> list[DriftCell]:
    # Non-finite → NaN, which np.sort puts last: each row's first n_finite values are the sample.
    block = np.where(np.isfinite(rows), rows, np.nan).T.copy()
    n_finite = np.isfinite(block).sum(axis=1)
    block.sort(axis=1)
    total = rows.shape[0]
    cells = []
    for j, ref in enumerate(refs):
        n = int(n_finite[j])
        share = 1.0 - n / total if total else 0.0
        cell = DriftCell(names[j], window, None, None, None, None, share, n)
        if n >= min_rows and len(ref.values) >= min_rows:
            cur = block[j, :n]
            value = _psi_sorted(ref, cur)
            d, p = _ks_sorted(ref.values, cur)
            cell = replace(cell, psi=value, psi_band=psi_band(value), ks_stat=d, ks_pvalue=p)
        cells.append(cell)
    return cells


def _finite_sorted(column: np.ndarray) -> np.ndarray:
    return np.sort(column[np.isfinite(column)])


def _unique_sorted(values: np.ndarray) -> np.ndarray:
    """Unique values of a sorted array (cheaper than np.unique, which sorts again)."""
    if not len(values):
        return values
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def _psi_sorted(ref: _Reference, cur: np.ndarray) -> float:
    """PSI of sorted finite `cur` against a prepared reference (both non-empty)."""
    if len(ref.unique) > _MAX_CATEGORIES:
        edges = _sturges_edges(
            min(ref.values[0], cur[0]), max(ref.values[-1], cur[-1]), len(ref.values) + len(cur)
        )
        ref_counts, cur_counts = _bin_counts(ref.values, edges), _bin_counts(cur, edges)
    else:
        keys = np.union1d(ref.unique, _unique_sorted(cur))
        ref_counts, cur_counts = _value_counts(ref.values, keys), _value_counts(cur, keys)
    ref_share = _fill_empty(ref_counts / len(ref.values))
    cur_share = _fill_empty(cur_counts / len(cur))
    return float(np.sum((ref_share - cur_share) * np.log(ref_share / cur_share)))


def _sturges_edges(first: float, last: float, size: int) -> np.ndarray:
    """The edges np.histogram_bin_edges(data, "sturges") gives, from the data's range and size.

    np.linspace's own arithmetic, inlined: linspace's Python overhead dominated small windows."""
    if first == last:  # numpy widens an empty range by 0.5 each side
        first, last = first - 0.5, last + 0.5
    width = (last - first) / (np.log2(size) + 1.0)
    bins = int(np.ceil((last - first) / width))
    edges = np.arange(bins + 1) * ((last - first) / bins) + first
    edges[-1] = last
    return edges


def _bin_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """np.histogram counts of sorted values within [edges[0], edges[-1]]: bins [a, b), last [a, b]."""
    below = np.empty(len(edges), dtype=np.int64)
    below[0], below[-1] = 0, len(values)
    below[1:-1] = np.searchsorted(values, edges[1:-1], side="left")
    return below[1:] - below[:-1]


def _value_counts(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    return np.searchsorted(values, keys, side="right") - np.searchsorted(values, keys, side="left")


def _fill_empty(shares: np.ndarray) -> np.ndarray:
    """Give empty bins a share below every observed one, so ln() stays finite (as Evidently)."""
    smallest = shares[shares > 0].min()
    fill = smallest / 1e6 if smallest <= _EMPTY_SHARE else _EMPTY_SHARE
    return np.where(shares == 0, fill, shares)


def _ks_statistic(ref: np.ndarray, cur: np.ndarray) -> float:
    """sup |F_ref − F_cur| of two sorted samples, looking up only the points of `cur`.

    F_cur − F_ref peaks at a point of `cur` (where F_cur jumps); F_ref − F_cur peaks just
    before one (F_cur is flat between them, F_ref only grows), or after the last, where it is ≤ 0.
    One binary search per point of `cur`; the second only for values that tie with `ref`.
    """
    n, m = len(ref), len(cur)
    ref_left = np.searchsorted(ref, cur, side="left")
    ref_right = ref_left
    tied = ref[np.minimum(ref_left, n - 1)] == cur
    if tied.any():
        ref_right = ref_left.copy()
        ref_right[tied] = np.searchsorted(ref, cur[tied], side="right")
    cur_left, cur_right = _tie_ranks(cur)
    above = cur_right / m - ref_right / n
    below = ref_left / n - cur_left / m
    return float(max(above.max(), below.max(), 0.0))


def _tie_ranks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """searchsorted(values, values, "left"/"right") of a sorted array, without searching."""
    m = len(values)
    changes = values[1:] != values[:-1]
    if changes.all():
        return np.arange(m), np.arange(1, m + 1)
    starts = np.concatenate(([True], changes))
    ends = np.concatenate((changes, [True]))
    left = np.maximum.accumulate(np.where(starts, np.arange(m), 0))
    right = np.minimum.accumulate(np.where(ends, np.arange(1, m + 1), m)[::-1])[::-1]
    return left, right


def _ks_sorted(ref: np.ndarray, cur: np.ndarray) -> tuple[float, float]:
    """KS statistic and two-sided asymptotic p-value, with Stephens' small-sample correction.

    scipy's kstwo.sf (what ks_2samp(method="asymp") calls) loops in Python and costs ~1 ms a
    cell; Kolmogorov's limit at (√n + 0.12 + 0.11/√n)·D is within 0.001 of it near p = 0.05.
    """
    d = _ks_statistic(ref, cur)
    root = math.sqrt(len(ref) * len(cur) / (len(ref) + len(cur)))
    p = float(special.kolmogorov((root + 0.12 + 0.11 / root) * d))
    return d, min(max(p, 0.0), 1.0)
