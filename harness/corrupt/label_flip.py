"""Kind `label_flip`: change the label of selected rows to another class (target noise).

| severity | fraction |
|---|---|
| 1 | 0.05 |
| 2 | 0.1 |
| 3 | 0.2 |
| 4 | 0.3 |
| 5 | 0.4 |

floor(n·fraction) rows are picked by the `mechanism` and their label changes: binary labels flip
to the other class; with more classes each flipped row gets a class drawn uniformly from the
others. The ladder stops at 0.4 so a binary label never carries more noise than signal. Missing
labels are left alone; the dtype is kept (int stays int). The column is `label_column` unless
`columns` names others.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from harness.corrupt.base import (
    CorruptionError,
    FrameJob,
    SeverityTable,
    ladder,
    register_corruption,
)
from harness.corrupt.cells import CellCorruption

_FRACTION = {1: 0.05, 2: 0.1, 3: 0.2, 4: 0.3, 5: 0.4}


@register_corruption("label_flip")
class LabelFlip(CellCorruption):
    """Flip labels to another class."""

    severity_table: ClassVar[SeverityTable] = ladder(fraction=_FRACTION)

    def default_columns(self, df: pd.DataFrame, label_column: str | None) -> list[str]:
        """Return the label column; it must be named."""
        if label_column is None:
            raise CorruptionError(
                "label_flip needs to know which column holds the labels",
                hint="pass label_column=... (or columns=[...])",
            )
        return [label_column]

    def corrupt_column(self, src: pd.Series, rows: np.ndarray, job: FrameJob) -> pd.Series:
        """Move each selected label to another class."""
        codes, classes = pd.factorize(src, sort=True)
        if len(classes) < 2:
            return src.copy()
        # An offset in 1..k-1 modulo k never lands on the same class, and is uniform over the others.
        offsets = job.rng.integers(1, len(classes), size=len(codes))
        flipped = np.asarray(classes)[(codes + offsets) % len(classes)]
        return src.where(~(rows & (codes >= 0)), flipped)
