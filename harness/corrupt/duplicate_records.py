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

import numpy as np

from harness.corrupt.base import register_corruption
from harness.corrupt.cells import RowCorruption


@register_corruption("duplicate_records")
class DuplicateRecords(RowCorruption):
    """Duplicate rows."""

    def arrange(
        self, n: int, picked: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Insert one copy of each picked row at a random position."""
        copies = rng.permutation(picked)
        at = np.sort(rng.integers(0, n + 1, size=len(copies)))
        return np.insert(np.arange(n), at, copies), np.insert(np.zeros(n, dtype=bool), at, True)
