"""The corrupted feature rows a serving corruption sends (feature skew), made before the run.

The rows are corrupted once, seeded by the run seed and the fault's name, and written to
`<run>/corruptions/<fault>.npz` (array `X`, shaped as the held-out rows); the load worker sends
them instead of the clean rows while the fault's window lasts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from harness.corrupt import CorruptionRequest, corrupt_frame
from harness.pipeline.records import FEATURE_NAMES

if TYPE_CHECKING:
    from harness.scenario.plan import Plan

Window = tuple[float, float, str]  # (start_s, end_s, npz path): what the load worker takes
FOLDER = "corruptions"


def serving_seed(plan: Plan, fault_name: str) -> int:
    """The seed of a fault's corrupted rows: the run seed and the fault's name, nothing else."""
    return plan.rng(f"{fault_name}:serving").randrange(2**32)


def corrupt_rows(
    request: CorruptionRequest,
    seed: int,
    X: np.ndarray,
    features: Sequence[str] = tuple(FEATURE_NAMES),
) -> np.ndarray:
    """The held-out rows `X` as `request` corrupts them (float32, NaN where a value is missing).

    `features` names the columns of `X` in order (the dataset's), as `request.columns` names them.
    """
    names = list(features)
    if X.ndim != 2 or X.shape[1] != len(names):
        raise ValueError(f"rows of {X.shape[1:]} values for {len(names)} feature names")
    frame = pd.DataFrame(X, columns=names)
    out, _ = corrupt_frame(
        frame,
        request.kind,
        severity=request.severity,
        seed=seed,
        columns=request.columns,
        fraction=request.fraction,
        mechanism=request.mechanism,
    )
    rows: np.ndarray = out[names].to_numpy(dtype=np.float32, na_value=np.nan)
    return rows


def held_out(holdout: Path) -> np.ndarray:
    """The clean rows the load sends (the `X` of the held-out npz)."""
    with np.load(holdout) as data:
        return np.asarray(data["X"], dtype=np.float32)


def write_rows(
    plan: Plan, fault_name: str, request: CorruptionRequest, holdout: Path, out_dir: Path
) -> Path:
    """Write the fault's corrupted rows to `out_dir/corruptions/<fault>.npz` (array `X`)."""
    folder = out_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{fault_name}.npz"
    seed = serving_seed(plan, fault_name)
    np.savez(path, X=corrupt_rows(request, seed, held_out(holdout), plan.dataset.features))
    return path
