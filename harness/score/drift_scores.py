"""The drift matrix of a run: the rows every request carried, each window against the baseline."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from harness.load.samples import Sample
from harness.observe.drift import drift_matrix
from harness.pipeline.records import FEATURE_NAMES
from harness.pipeline.serving_skew import corrupted_rows, serving_faults
from harness.results import Drift, DriftWindow
from harness.scenario.plan import Plan
from harness.score.timeline import bin_width

WINDOWS_PER_BIN = 4  # a drift window spans at least this many timeline bins
# PSI of a small sample is noisy (about (bins − 1) / rows even with no drift): a window holds at
# least this many requests, so a clean window reads well under the 0.1 band.
MIN_WINDOW_ROWS = 300


def served_rows(
    plan: Plan, samples: Sequence[Sample], holdout: Path
) -> tuple[np.ndarray, np.ndarray]:
    """(times, first row of each request) rebuilt from the seeded schedule, corruption included."""
    with np.load(holdout) as data:
        X = np.asarray(data["X"], dtype=np.float32)
    n, batch, rate = len(X), plan.scenario.load.batch_size, plan.scenario.load.rate
    order = np.random.default_rng(plan.seed).permutation(n)  # as harness.load.protocol.RowFeed
    windows = [(f.at, f.end, corrupted_rows(plan, f, X)) for f in serving_faults(plan)]
    picked = [s for s in samples if s.request is not None]
    times = np.array([s.t_start for s in picked], dtype=np.float64)
    rows = np.empty((len(picked), X.shape[1]), dtype=np.float32)
    for k, s in enumerate(picked):
        i = int(s.request or 0)
        source = next((x for a, b, x in windows if a <= i / rate < b), X)
        rows[k] = source[order[(i * batch) % n]]
    return times, rows


def drift(plan: Plan, samples: Sequence[Sample], holdout: Path) -> Drift | None:
    """Per-feature PSI and KS p-value per window against the baseline phase's rows."""
    times, rows = served_rows(plan, samples, holdout)
    base = plan.phase("baseline")
    reference = rows[(times >= base.start) & (times < base.end)]
    if len(reference) == 0:
        return None
    width = bin_width(plan.duration_s)
    needed = MIN_WINDOW_ROWS / plan.scenario.load.rate
    window_s = width * max(WINDOWS_PER_BIN, math.ceil(needed / width))
    m = drift_matrix(reference, times, rows, FEATURE_NAMES, window_s, 0.0, plan.duration_s)
    grid = [[m.cell(f, w.index) for w in m.windows] for f in m.features]
    return Drift(
        window_s=window_s,
        features=list(m.features),
        windows=[DriftWindow(index=w.index, start_s=w.start_s, end_s=w.end_s) for w in m.windows],
        psi=[[_r(c.psi) for c in row] for row in grid],
        ks_pvalue=[[_r(c.ks_pvalue, 6) for c in row] for row in grid],
        nonfinite_share=[[round(c.nonfinite_share, 4) for c in row] for row in grid],
    )


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)
