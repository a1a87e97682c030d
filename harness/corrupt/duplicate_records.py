"""Kind `duplicate_records`: insert copies of selected rows at random places (at-least-once delivery).

| severity | fraction |
|---|---|
| 1 | 0.05 |
| 2 | 0.1 |
| 3 | 0.2 |
| 4 | 0.35 |
| 5 | 0.5 |

floor(n·fraction) rows are picked by the `mechanism` (MNAR sorts by the one column named in
`columns`) and a copy of each is inserted at a random position; the original rows keep their
order. Copies keep their index label, so `index.duplicated()` finds them. The mask (indexed like
the output) is True on every cell of an inserted copy.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from harness.corrupt.base import (
    ROW_FRACTION,
    FrameCorruption,
    FrameJob,
    SeverityTable,
    ladder,
    register_corruption,
)
from harness.corrupt.sampling import select_rows


@register_corruption("duplicate_records")
class DuplicateRecords(FrameCorruption):
    """Duplicate rows."""

    row_level = True
    severity_table: ClassVar[SeverityTable] = ladder(fraction=ROW_FRACTION)

    def default_columns(self, df: pd.DataFrame, label_column: str | None) -> list[str]:
        """Return no column: rows are picked as a whole."""
        return []

    def apply(self, job: FrameJob) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Insert one copy of each selected row."""
        n = len(job.frame)
        by = job.columns[0] if job.columns else None
        rows = select_rows(job.frame, by, job.fraction, job.mechanism, job.rng)
        picked = job.rng.permutation(np.flatnonzero(rows))
        at = np.sort(job.rng.integers(0, n + 1, size=len(picked)))
        order = np.insert(np.arange(n), at, picked)
        is_copy = np.insert(np.zeros(n, dtype=bool), at, True)
        out = job.frame.iloc[order].copy()
        cells = np.repeat(is_copy[:, None], out.shape[1], axis=1)
        return out, pd.DataFrame(cells, index=out.index, columns=out.columns)
