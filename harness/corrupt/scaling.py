"""Kind `scaling`: multiply numeric cells of selected rows by 10, 100 or 1000 (a unit change, JENGA `Scaling`).

| severity | fraction | factor |
|---|---|---|
| 1 | 0.05 | 10 |
| 2 | 0.1 | 10 |
| 3 | 0.2 | 100 |
| 4 | 0.35 | 100 |
| 5 | 0.5 | 1000 |

"Milliseconds instead of seconds": the selected rows of each column are multiplied by `factor`;
the dtype is kept (float32 stays float32). Rows are picked per column by the `mechanism`. A zero
or missing cell does not change, so the mask does not mark it. Default columns: every numeric
column but the label.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from harness.corrupt.base import ROW_FRACTION, FrameJob, SeverityTable, ladder, register_corruption
from harness.corrupt.cells import NumericCellCorruption

_FACTOR = {1: 10, 2: 10, 3: 100, 4: 100, 5: 1000}


@register_corruption("scaling")
class Scaling(NumericCellCorruption):
    """Multiply numeric cells by a unit-change factor."""

    keeps_shape = True  # rows of numbers stay rows of as many numbers: serving requests too

    severity_table: ClassVar[SeverityTable] = ladder(fraction=ROW_FRACTION, factor=_FACTOR)

    def corrupt_column(self, src: pd.Series, rows: np.ndarray, job: FrameJob) -> pd.Series:
        """Scale the selected cells."""
        return src.where(~rows, src * job.params["factor"])
