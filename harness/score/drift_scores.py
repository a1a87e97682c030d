"""The drift matrix of a run: the rows every request carried, each window against the clean rows.

Which rows a request carried is read from its sample (`row`, `corruption`: recorded by the load
worker when it built the request), never worked out again here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from harness.errors import HarnessError
from harness.load.samples import Sample
from harness.observe.drift import drift_matrix
from harness.pipeline.serving_skew import FOLDER, held_out
from harness.results import Drift, DriftWindow
from harness.scenario.plan import Plan
from harness.score.timeline import bin_width

WINDOWS_PER_BIN = 4  # a drift window spans at least this many timeline bins
# PSI of a small sample is noisy: on the reference stack's 20 features, the largest PSI of a
# clean window against the 5,000 held-out rows reached 0.25 (major) at 300 rows and stayed
# under 0.17 at 400 (3,000 simulated windows each). Windows are sized for WINDOW_ROWS requests;
# one with fewer than MIN_WINDOW_ROWS finite values (a short last window, lost requests) is
# not judged: its PSI and KS are None, "not enough data".
WINDOW_ROWS = 400
MIN_WINDOW_ROWS = 360

Rows = Callable[[str], np.ndarray]  # corruption (fault) name → the rows it sent instead


def served_rows(
    samples: Sequence[Sample], clean: np.ndarray, corrupted: Rows
) -> tuple[np.ndarray, np.ndarray]:
    """(start times, first row) of each request whose sample records its row.

    A sample names the corruption its request carried; `corrupted(name)` gives those rows.
    """
    picked = [s for s in samples if s.row is not None]
    times = np.array([s.t_start for s in picked], dtype=np.float64)
    rows = np.empty((len(picked), clean.shape[1]), dtype=np.float32)
    sources: dict[str | None, np.ndarray] = {None: clean}
    for k, s in enumerate(picked):
        if s.corruption not in sources:
            sources[s.corruption] = corrupted(str(s.corruption))
        rows[k] = sources[s.corruption][int(s.row or 0)]
    return times, rows


def corruption_files(folder: Path, shape: tuple[int, ...]) -> Rows:
    """Read the rows of corruption `name` from `folder/<name>.npz` (written before the run)."""

    def read(name: str) -> np.ndarray:
        path = folder / f"{name}.npz"
        try:
            with np.load(path) as data:
                x = np.asarray(data["X"], dtype=np.float32)
        except (OSError, KeyError, ValueError) as exc:
            raise HarnessError(f"drift: cannot read the rows of corruption {name}: {exc}") from None
        if x.shape != shape:
            raise HarnessError(f"drift: {path} holds {x.shape} rows, the held-out set {shape}")
        return x

    return read


def drift(plan: Plan, samples: Sequence[Sample], holdout: Path, out_dir: Path) -> Drift | None:
    """Per-feature PSI and KS p-value per window against the clean held-out rows.

    The held-out rows are the dataset's (load.dataset, named by `plan.dataset.features`), or
    the reference model's: the reference profile is always the clean rows the load drew from.

    The reference is every clean held-out row: the load draws its requests from them, so they
    are the baseline's distribution, and far more of them than the baseline phase sends (300
    requests at --time-scale 0.25, which alone make PSI noise reach the major band).
    """
    clean = held_out(holdout)
    features = list(plan.dataset.features)  # the user's column names, or the reference's
    if clean.shape[1] != len(features):
        raise HarnessError(
            f"drift: {holdout} holds rows of {clean.shape[1]} values, "
            f"the dataset names {len(features)} features"
        )
    times, rows = served_rows(samples, clean, corruption_files(out_dir / FOLDER, clean.shape))
    if not len(times):
        return None
    width = bin_width(plan.duration_s)
    needed = WINDOW_ROWS / plan.scenario.load.rate
    window_s = width * max(WINDOWS_PER_BIN, math.ceil(needed / width - 1e-9))
    m = drift_matrix(clean, times, rows, features, window_s, 0.0, plan.duration_s, MIN_WINDOW_ROWS)
    grid = [[m.cell(f, w.index) for w in m.windows] for f in m.features]
    edges = [w.start_s for w in m.windows] + [m.windows[-1].end_s]
    counts = np.diff(np.searchsorted(np.sort(times), edges, side="left"))
    return Drift(
        window_s=window_s,
        features=list(m.features),
        windows=[
            DriftWindow(index=w.index, start_s=w.start_s, end_s=w.end_s, requests=int(c))
            for w, c in zip(m.windows, counts, strict=True)
        ],
        psi=[[_r(c.psi) for c in row] for row in grid],
        ks_pvalue=[[_r(c.ks_pvalue, 6) for c in row] for row in grid],
        nonfinite_share=[[round(c.nonfinite_share, 4) for c in row] for row in grid],
        min_rows=MIN_WINDOW_ROWS,
    )


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)
