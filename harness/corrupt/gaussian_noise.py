"""Kind `gaussian_noise`: add N(0, (scale·std)²) to numeric cells of selected rows (JENGA `GaussianNoise`).

| severity | fraction | scale |
|---|---|---|
| 1 | 0.05 | 0.5 |
| 2 | 0.1 | 1.0 |
| 3 | 0.2 | 2.0 |
| 4 | 0.35 | 3.0 |
| 5 | 0.5 | 5.0 |

`std` is the column's own standard deviation (population, NaN skipped), so the noise is relative
to the column's spread; a constant column is left as is. Rows are picked per column by the
`mechanism`; float columns keep their dtype (float32 stays float32), integer columns become
float64. Missing cells stay missing. Default columns: every numeric column but the label.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from harness.corrupt.base import ROW_FRACTION, FrameJob, SeverityTable, ladder, register_corruption
from harness.corrupt.cells import NumericCellCorruption

_SCALE = {1: 0.5, 2: 1.0, 3: 2.0, 4: 3.0, 5: 5.0}


@register_corruption("gaussian_noise")
class GaussianNoise(NumericCellCorruption):
    """Add scaled Gaussian noise to numeric columns."""

    keeps_shape = True  # rows of numbers stay rows of as many numbers: serving requests too

    severity_table: ClassVar[SeverityTable] = ladder(fraction=ROW_FRACTION, scale=_SCALE)

    def corrupt_column(self, src: pd.Series, rows: np.ndarray, job: FrameJob) -> pd.Series:
        """Add the noise to the selected cells."""
        values = src.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        std = float(np.nanstd(values)) if np.isfinite(values).any() else 0.0
        values[rows] += job.rng.normal(0.0, float(job.params["scale"]) * std, size=int(rows.sum()))
        dtype = src.dtype if pd.api.types.is_float_dtype(src) else np.float64
        return pd.Series(values, index=src.index, name=src.name).astype(dtype)
