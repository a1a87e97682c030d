"""Base classes of the kinds that rewrite cells in place, column by column."""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

import numpy as np
import pandas as pd

from harness.corrupt.base import (
    ROW_FRACTION,
    FrameCorruption,
    FrameJob,
    SeverityTable,
    changed,
    empty_mask,
    is_numeric,
    ladder,
)
from harness.corrupt.sampling import select_rows


class CellCorruption(FrameCorruption):
    """A kind that rewrites cells in place, column by column, in rows picked by the mechanism."""

    def apply(self, job: FrameJob) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Corrupt each column in its own pick of rows; the mask marks the cells that changed."""
        out = job.frame.copy()
        mask = empty_mask(out)
        for col in job.columns:
            src = job.frame[col]
            rows = select_rows(job.frame, col, job.fraction, job.mechanism, job.rng)
            out[col] = self.corrupt_column(src, rows, job)
            mask[col] = changed(src, out[col])
        return out, mask

    @abstractmethod
    def corrupt_column(self, src: pd.Series, rows: np.ndarray, job: FrameJob) -> pd.Series:
        """Return the column with its selected `rows` corrupted."""


class NumericCellCorruption(CellCorruption):
    """A cell kind that only makes sense on numbers (noise, unit changes)."""

    def default_columns(self, df: pd.DataFrame, label_column: str | None) -> list[str]:
        """Return every numeric column but the label."""
        return [str(c) for c in df.columns if c != label_column and is_numeric(df[c])]

    def column_problem(self, series: pd.Series) -> str | None:
        """Refuse non-numeric columns."""
        return None if is_numeric(series) else f"it is not numeric (dtype {series.dtype})"


class RowCorruption(FrameCorruption):
    """A kind that rearranges whole rows (duplicates, reordering) picked by the mechanism."""

    # At most one column is named: the one MNAR (or MAR, as the excluded one) sorts by.
    row_level = True
    severity_table: ClassVar[SeverityTable] = ladder(fraction=ROW_FRACTION)

    def default_columns(self, df: pd.DataFrame, label_column: str | None) -> list[str]:
        """Return no column: rows are picked as a whole."""
        return []

    def apply(self, job: FrameJob) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Rearrange the picked rows; the mask marks every cell of a row that moved or was added."""
        by = job.columns[0] if job.columns else None
        rows = select_rows(job.frame, by, job.fraction, job.mechanism, job.rng)
        order, flagged = self.arrange(len(job.frame), np.flatnonzero(rows), job.rng)
        out = job.frame.iloc[order].copy()
        cells = np.repeat(flagged[:, None], out.shape[1], axis=1)
        return out, pd.DataFrame(cells, index=out.index, columns=out.columns)

    @abstractmethod
    def arrange(
        self, n: int, picked: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the output's row positions in the input, and which output rows to flag."""
