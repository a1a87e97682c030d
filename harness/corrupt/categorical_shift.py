"""Kind `categorical_shift`: remap the categories of selected rows to other categories (JENGA `CategoricalShift`).

| severity | fraction |
|---|---|
| 1 | 0.05 |
| 2 | 0.1 |
| 3 | 0.2 |
| 4 | 0.35 |
| 5 | 0.5 |

The column's distinct values are put in a seeded random order and each maps to the next one
(a cycle, so every selected non-missing cell changes when there are two or more categories).
Rows are picked per column by the `mechanism`; missing cells stay missing and the dtype is kept.
Default columns: text columns and integer or boolean columns with at most 20 distinct values,
the label excepted; a frame with none of those (the 20 float serving features) falls back to
every column but the label. A float column is then treated as categorical: each selected cell
takes another value seen in that column, so the marginal distribution barely moves while the
rows' meaning does.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from harness.corrupt.base import (
    ROW_FRACTION,
    FrameJob,
    SeverityTable,
    is_numeric,
    ladder,
    register_corruption,
)
from harness.corrupt.cells import CellCorruption

# More distinct integers than this look like counts or ids rather than category codes.
MAX_CODES = 20


@register_corruption("categorical_shift")
class CategoricalShift(CellCorruption):
    """Remap categories through a seeded cycle."""

    severity_table: ClassVar[SeverityTable] = ladder(fraction=ROW_FRACTION)

    def default_columns(self, df: pd.DataFrame, label_column: str | None) -> list[str]:
        """Return every categorical-looking column but the label, else every column but the label."""
        columns = super().default_columns(df, label_column)
        return [c for c in columns if looks_categorical(df[c])] or columns

    def corrupt_column(self, src: pd.Series, rows: np.ndarray, job: FrameJob) -> pd.Series:
        """Shift the selected cells to the next category of the cycle."""
        values = src.dropna().unique()
        if len(values) < 2:
            return src.copy()
        order = values[job.rng.permutation(len(values))]
        mapping = {order[i]: order[(i + 1) % len(order)] for i in range(len(order))}
        return src.where(~(rows & src.notna().to_numpy()), src.map(mapping))


def looks_categorical(series: pd.Series) -> bool:
    """Tell whether a column holds categories: text, booleans, or few distinct integers."""
    if pd.api.types.is_bool_dtype(series) or not is_numeric(series):
        return True
    return bool(pd.api.types.is_integer_dtype(series) and series.nunique() <= MAX_CODES)
