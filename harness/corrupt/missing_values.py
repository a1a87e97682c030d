"""Kind `missing_values`: blank the cells of rows picked by MCAR, MAR or MNAR (JENGA `MissingValues`).

| severity | fraction |
|---|---|
| 1 | 0.05 |
| 2 | 0.1 |
| 3 | 0.2 |
| 4 | 0.35 |
| 5 | 0.5 |

Each column gets its own pick of floor(n·fraction) rows, chosen by the `mechanism` (MCAR: at
random; MAR: a random percentile band of another column; MNAR: of the column itself). The cells
become missing: NaN in float columns (float32 stays float32), integer columns turn float64 as
pandas does, text columns get NaN. The mask marks the blanked cells (a cell already missing does
not change, so it is not marked). Default columns: every column but the label.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from harness.corrupt.base import ROW_FRACTION, FrameJob, SeverityTable, ladder, register_corruption
from harness.corrupt.cells import CellCorruption


@register_corruption("missing_values")
class MissingValues(CellCorruption):
    """Set the selected cells to NaN."""

    keeps_shape = True  # rows of numbers stay rows of as many numbers: serving requests too

    severity_table: ClassVar[SeverityTable] = ladder(fraction=ROW_FRACTION)

    def corrupt_column(self, src: pd.Series, rows: np.ndarray, job: FrameJob) -> pd.Series:
        """Blank the selected cells."""
        return src.mask(rows)
