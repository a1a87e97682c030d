"""Row selection for tabular kinds: MCAR, MAR and MNAR as in JENGA's `TabularCorruption.sample_rows`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from harness.corrupt.base import CorruptionError, Mechanism, fraction_rows


def select_rows(
    frame: pd.DataFrame,
    column: str | None,
    fraction: float,
    mechanism: Mechanism,
    rng: np.random.Generator,
) -> np.ndarray:
    """Return a boolean array marking floor(n·fraction) rows picked by `mechanism`.

    MCAR: a random permutation. MNAR: a contiguous window, at a random start, of the rows sorted
    by `column` itself (a random percentile band). MAR: the same window sorted by a random other
    column.
    """
    n = len(frame)
    k = fraction_rows(n, fraction)
    chosen = np.zeros(n, dtype=bool)
    if k == 0:
        return chosen
    if mechanism is Mechanism.MCAR:
        chosen[rng.permutation(n)[:k]] = True
        return chosen
    by = column if mechanism is Mechanism.MNAR else _other_column(frame, column, rng)
    if by is None:
        raise CorruptionError(
            "missingness mechanism MNAR needs a column to sort by",
            hint="name one column in `columns`, or use MCAR or MAR",
        )
    start = int(rng.integers(0, n - k + 1))
    chosen[_sorted_positions(frame[by])[start : start + k]] = True
    return chosen


def _other_column(frame: pd.DataFrame, column: str | None, rng: np.random.Generator) -> str:
    others = [str(c) for c in frame.columns if c != column]
    if not others:
        raise CorruptionError(
            f"mechanism MAR needs a column other than {column!r} to sort by",
            hint="use MCAR or MNAR on a one-column frame",
        )
    return others[int(rng.integers(len(others)))]


def _sorted_positions(series: pd.Series) -> np.ndarray:
    """Positions of the rows in ascending order of the values, missing values last."""
    plain = series.reset_index(drop=True)
    try:
        ordered = plain.sort_values(kind="stable", na_position="last")
    except TypeError:  # mixed types in an object column: order by their text
        ordered = plain.sort_values(kind="stable", na_position="last", key=lambda s: s.astype(str))
    return np.asarray(ordered.index.to_numpy(), dtype=np.intp)
