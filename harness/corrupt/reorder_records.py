"""Kind `reorder_records`: move selected rows to one another's places (out-of-order delivery).

| severity | fraction |
|---|---|
| 1 | 0.05 |
| 2 | 0.1 |
| 3 | 0.2 |
| 4 | 0.35 |
| 5 | 0.5 |

floor(n·fraction) rows are picked by the `mechanism` (MNAR sorts by the one column named in
`columns`); they are put in a seeded random cycle and each takes the place of the next, so every
picked row moves (when two or more are picked). The rest keep their places. Rows keep their index
label. The mask (indexed like the output) is True on every cell of a moved row.
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


@register_corruption("reorder_records")
class ReorderRecords(FrameCorruption):
    """Reorder rows."""

    row_level = True
    severity_table: ClassVar[SeverityTable] = ladder(fraction=ROW_FRACTION)

    def default_columns(self, df: pd.DataFrame, label_column: str | None) -> list[str]:
        """Return no column: rows are picked as a whole."""
        return []

    def apply(self, job: FrameJob) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Rotate the selected rows through one another's positions."""
        n = len(job.frame)
        by = job.columns[0] if job.columns else None
        rows = select_rows(job.frame, by, job.fraction, job.mechanism, job.rng)
        cycle = job.rng.permutation(np.flatnonzero(rows))
        order = np.arange(n)
        order[cycle] = np.roll(cycle, -1)
        moved = order != np.arange(n)
        out = job.frame.iloc[order].copy()
        cells = np.repeat(moved[:, None], out.shape[1], axis=1)
        return out, pd.DataFrame(cells, index=out.index, columns=out.columns)
