"""Kind `swapped_columns`: swap the values of column pairs in selected rows (JENGA `SwappedValues`).

| severity | fraction |
|---|---|
| 1 | 0.05 |
| 2 | 0.1 |
| 3 | 0.2 |
| 4 | 0.35 |
| 5 | 0.5 |

"Input errors in forms and programming errors": the columns are shuffled into pairs, numeric with
numeric and text with text; an odd one out swaps with another column of its kind (from the list,
else from the frame). Each pair swaps its values in its own pick of floor(n·fraction) rows, picked
by the `mechanism` on the pair's first column. A float column keeps its dtype (float32 stays
float32). The mask marks the cells that changed (two equal values swapped do not change).
Default columns: every column but the label.
"""

from __future__ import annotations

from typing import ClassVar

import pandas as pd

from harness.corrupt.base import (
    ROW_FRACTION,
    CorruptionError,
    FrameCorruption,
    FrameJob,
    SeverityTable,
    changed,
    empty_mask,
    is_numeric,
    ladder,
    register_corruption,
)
from harness.corrupt.sampling import select_rows


@register_corruption("swapped_columns")
class SwappedColumns(FrameCorruption):
    """Swap values between pairs of columns."""

    keeps_shape = True  # rows of numbers stay rows of as many numbers: serving requests too

    severity_table: ClassVar[SeverityTable] = ladder(fraction=ROW_FRACTION)

    def apply(self, job: FrameJob) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Swap each pair in its selected rows."""
        out, pairs = job.frame.copy(), _pairs(job)
        for a, b in pairs:
            rows = select_rows(job.frame, a, job.fraction, job.mechanism, job.rng)
            av, bv = out[a].copy(), out[b].copy()
            out[a] = _keep_float(av.where(~rows, bv.to_numpy()), av.dtype)
            out[b] = _keep_float(bv.where(~rows, av.to_numpy()), bv.dtype)
        mask = empty_mask(out)
        for col in sorted({c for pair in pairs for c in pair}):
            mask[col] = changed(job.frame[col], out[col])
        return out, mask


def _pairs(job: FrameJob) -> list[tuple[str, str]]:
    """Pair the columns within their kind (numeric, other) in a seeded order."""
    frame, pairs = job.frame, []
    for numeric in (True, False):
        group = [c for c in job.columns if is_numeric(frame[c]) == numeric]
        if not group:
            continue
        order = [group[i] for i in job.rng.permutation(len(group))]
        pairs += list(zip(order[0::2], order[1::2], strict=False))
        partner = _partner(job, order[-1], order[:-1], numeric) if len(order) % 2 else None
        if partner is not None:
            pairs.append((order[-1], partner))
    if not pairs:
        raise CorruptionError(
            "swapped_columns found no two columns of the same kind to swap",
            hint="name two columns of the same kind (numeric or text)",
        )
    return pairs


def _keep_float(series: pd.Series, dtype: object) -> pd.Series:
    """Cast a swapped float column back to its dtype: float32 features must stay float32."""
    return series.astype(dtype) if pd.api.types.is_float_dtype(dtype) else series


def _partner(job: FrameJob, col: str, same_list: list[str], numeric: bool) -> str | None:
    frame = job.frame
    pool = same_list or [
        str(c)
        for c in frame.columns
        if c not in (col, job.label_column) and is_numeric(frame[c]) == numeric
    ]
    if not pool:
        return None
    return pool[int(job.rng.integers(len(pool)))]
