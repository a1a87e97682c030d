"""Kind `schema_drift`: rename, drop, retype columns and add extra ones (an upstream schema change).

| severity | fraction |
|---|---|
| 1 | 0.05 |
| 2 | 0.1 |
| 3 | 0.2 |
| 4 | 0.35 |
| 5 | 0.5 |

changes = max(1, floor(fraction·n)) of the n candidate columns are drawn (1, 2, 4, 7, 10 of the
20 serving features); each gets one change, taken in turn from the rotation rename, drop,
retype, extra at a seeded start, so each change type happens floor(changes/4) or
ceil(changes/4) times. Rename: snake_case → camelCase (a name without `_` changes case).
Retype: numbers and booleans become strings (`"1.5"`, float32 in its shortest form), strings
become integer codes. Extra: a new float64 column `<name>_extra` of N(0, 1) noise, placed last.
Every output stays serializable as JSON records. The mask has the output's columns: True on
every cell of a renamed or extra column and on every non-missing cell of a retyped one; dropped
columns are absent. Default columns: every column but the label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from harness.corrupt.base import (
    ROW_FRACTION,
    FrameCorruption,
    FrameJob,
    SeverityTable,
    empty_mask,
    is_text,
    ladder,
    register_corruption,
)

OPERATIONS = ("rename", "drop", "retype", "extra")


@dataclass
class _Drift:
    """The frame being changed, and which of its cells the mask will mark."""

    out: pd.DataFrame
    taken: set[str]
    renames: dict[str, str] = field(default_factory=dict)
    drops: list[str] = field(default_factory=list)
    marked: dict[str, np.ndarray] = field(default_factory=dict)


@register_corruption("schema_drift")
class SchemaDrift(FrameCorruption):
    """Change the schema of a frame."""

    severity_table: ClassVar[SeverityTable] = ladder(fraction=ROW_FRACTION)

    def apply(self, job: FrameJob) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Apply one schema change to each drawn column."""
        frame, rng = job.frame, job.rng
        n_changes = change_count(len(job.columns), job.fraction)
        drawn = [job.columns[i] for i in rng.permutation(len(job.columns))[:n_changes]]
        start = int(rng.integers(len(OPERATIONS)))
        drift = _Drift(frame.copy(), {str(c) for c in frame.columns})
        for k, col in enumerate(drawn):
            _change(drift, col, OPERATIONS[(start + k) % len(OPERATIONS)], rng)
        out = drift.out.drop(columns=drift.drops).rename(columns=drift.renames)
        mask = empty_mask(out)
        for col, cells in drift.marked.items():
            mask[drift.renames.get(col, col)] = cells
        return out, mask


def change_count(n_columns: int, fraction: float) -> int:
    """Return how many of `n_columns` candidate columns change: max(1, floor(fraction·n))."""
    return min(n_columns, max(1, int(n_columns * fraction)))


def _change(drift: _Drift, col: str, op: str, rng: np.random.Generator) -> None:
    n = len(drift.out)
    if op == "rename":
        drift.renames[col] = _fresh(camel_case(col), drift.taken)
        drift.marked[col] = np.ones(n, dtype=bool)
    elif op == "drop":
        drift.drops.append(col)
    elif op == "retype":
        drift.out[col] = retyped(drift.out[col])
        drift.marked[col] = drift.out[col].notna().to_numpy()
    else:
        extra = _fresh(f"{col}_extra", drift.taken)
        drift.out[extra] = rng.normal(size=n)
        drift.marked[extra] = np.ones(n, dtype=bool)


def camel_case(name: str) -> str:
    """Return `name` in camelCase, or with its case swapped when it has no underscore."""
    head, *rest = name.split("_")
    if rest:
        return head + "".join(part[:1].upper() + part[1:] for part in rest)
    return name.upper() if name != name.upper() else name.lower()


def retyped(series: pd.Series) -> pd.Series:
    """Return the column with another type: numbers as strings, strings as integer codes."""
    if is_text(series) and not pd.api.types.is_bool_dtype(series):
        codes, _ = pd.factorize(series)
        return pd.Series(codes.astype(np.int64), index=series.index, name=series.name)
    # Text from the native scalars: numpy prints a float32 in its shortest form.
    native = series.to_numpy()
    text = [None if pd.isna(v) else str(v) for v in native]
    return pd.Series(text, index=series.index, name=series.name, dtype=object)


def _fresh(name: str, taken: set[str]) -> str:
    candidate, i = name, 2
    while candidate in taken:
        candidate, i = f"{name}{i}", i + 1
    taken.add(candidate)
    return candidate
