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

import numpy as np

from harness.corrupt.base import register_corruption
from harness.corrupt.cells import RowCorruption


@register_corruption("reorder_records")
class ReorderRecords(RowCorruption):
    """Reorder rows."""

    def arrange(
        self, n: int, picked: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rotate the picked rows through one another's positions."""
        cycle = rng.permutation(picked)
        order = np.arange(n)
        order[cycle] = np.roll(cycle, -1)
        return order, order != np.arange(n)
