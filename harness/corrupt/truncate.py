"""Kind `truncate`: cut the end off a stored object (a partial upload or write).

| severity | keep_fraction |
|---|---|
| 1 | 1.0 |
| 2 | 0.99 |
| 3 | 0.9 |
| 4 | 0.5 |
| 5 | 0.1 |

The first min(len − 1, floor(len·keep_fraction)) bytes are kept, so at least one byte is always
cut: severity 1 drops exactly the last byte, as the writer that ended a Parquet file in `PAR`
instead of `PAR1`. Empty input stays empty. The cut is deterministic: the seed is not used. A
cut that lands inside a multi-byte character leaves invalid UTF-8.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import numpy as np

from harness.corrupt.base import (
    BytesCorruption,
    Param,
    SeverityTable,
    ladder,
    register_corruption,
)

_KEEP = {1: 1.0, 2: 0.99, 3: 0.9, 4: 0.5, 5: 0.1}


@register_corruption("truncate")
class Truncate(BytesCorruption):
    """Drop the tail of the object."""

    severity_table: ClassVar[SeverityTable] = ladder(keep_fraction=_KEEP)

    def apply(self, data: bytes, params: Mapping[str, Param], rng: np.random.Generator) -> bytes:
        """Return the first bytes of `data`, as many as the severity keeps."""
        return data[: kept_length(len(data), float(params["keep_fraction"]))]


def kept_length(size: int, keep_fraction: float) -> int:
    """Return how many leading bytes of an object of `size` bytes survive."""
    return max(0, min(size - 1, int(size * keep_fraction)))
