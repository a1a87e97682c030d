"""Prepare the corrupted feature rows a serving corruption sends (feature skew), before the run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from harness.corrupt import corrupt_frame
from harness.pipeline.records import FEATURE_NAMES
from harness.scenario.plan import Plan, ScheduledFault

Window = tuple[float, float, str]


def serving_faults(plan: Plan) -> list[ScheduledFault]:
    """The scheduled corrupt_data faults that target serving."""
    return [
        f
        for f in plan.faults
        if f.spec.kind == "corrupt_data" and getattr(f.spec, "target", None) == "serving"
    ]


def corrupted_rows(plan: Plan, fault: ScheduledFault, X: np.ndarray) -> np.ndarray:
    """The held-out rows as `fault` corrupts them (seeded by the run seed and the fault name)."""
    from harness.faults.corrupt_data import CorruptDataSpec  # the faults import this package

    spec = fault.spec
    assert isinstance(spec, CorruptDataSpec)
    frame = pd.DataFrame(X, columns=FEATURE_NAMES)
    out, _ = corrupt_frame(
        frame,
        spec.corruption,
        severity=spec.severity,
        seed=plan.rng(f"{fault.name}:serving").randrange(2**32),
        columns=spec.columns,
        fraction=spec.fraction,
        mechanism=spec.mechanism,
    )
    rows: np.ndarray = out[FEATURE_NAMES].to_numpy(dtype=np.float32, na_value=np.nan)
    return rows


def prepare_windows(plan: Plan, holdout: Path, out_dir: Path) -> tuple[Window, ...]:
    """Write one npz of corrupted rows per serving fault; return the load worker's windows."""
    faults = serving_faults(plan)
    if not faults:
        return ()
    with np.load(holdout) as data:
        X = np.asarray(data["X"], dtype=np.float32)
    folder = out_dir / "corruptions"
    folder.mkdir(parents=True, exist_ok=True)
    windows = []
    for fault in faults:
        path = folder / f"{fault.name}.npz"
        np.savez(path, X=corrupted_rows(plan, fault, X))
        windows.append((fault.at, fault.end, str(path)))
    return tuple(windows)
