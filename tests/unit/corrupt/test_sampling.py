"""Row selection: MCAR at random, MNAR a percentile band of the column, MAR of another column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from harness.corrupt import Mechanism, corrupt_frame
from harness.corrupt.sampling import select_rows


def frame(n: int = 50) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"a": rng.permutation(n) * 1.0, "b": rng.permutation(n) * 1.0})


def is_band(values: pd.Series, chosen: np.ndarray) -> bool:
    """Tell whether the chosen rows hold consecutive ranks of `values`."""
    ranks = values.rank(method="first").to_numpy()[chosen]
    return bool(np.array_equal(np.sort(ranks), np.arange(ranks.min(), ranks.max() + 1)))


@pytest.mark.parametrize("mechanism", list(Mechanism))
@pytest.mark.parametrize(("fraction", "count"), [(0.0, 0), (0.1, 5), (0.33, 16), (1.0, 50)])
def test_floor_of_n_times_fraction_rows(mechanism: Mechanism, fraction: float, count: int) -> None:
    rows = select_rows(frame(), "a", fraction, mechanism, np.random.default_rng(1))
    assert rows.dtype == bool and int(rows.sum()) == count


def test_mnar_takes_a_band_of_the_column_itself() -> None:
    df = frame()
    for seed in range(10):
        rows = select_rows(df, "a", 0.2, Mechanism.MNAR, np.random.default_rng(seed))
        assert is_band(df["a"], rows)


def test_mar_takes_a_band_of_another_column() -> None:
    df = frame()
    for seed in range(10):
        rows = select_rows(df, "a", 0.2, Mechanism.MAR, np.random.default_rng(seed))
        assert is_band(df["b"], rows)


def test_mcar_is_not_a_band() -> None:
    df = frame()
    rows = [select_rows(df, "a", 0.2, Mechanism.MCAR, np.random.default_rng(s)) for s in range(5)]
    assert not all(is_band(df["a"], r) or is_band(df["b"], r) for r in rows)


def test_mnar_missing_values_blank_a_value_band() -> None:
    df = frame()
    out, mask = corrupt_frame(df, "missing_values", severity=3, seed=2, mechanism="mnar")
    assert is_band(df["a"], mask["a"].to_numpy()) and is_band(df["b"], mask["b"].to_numpy())
    assert out.isna().sum().tolist() == [10, 10]
