"""Each kind does what its docstring table promises at each severity, and more at a higher one."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from harness.corrupt import CORRUPTIONS, SEVERITIES, corrupt_bytes, corrupt_frame

from .conftest import N_ROWS, make_categories, make_ingest, make_serving

ROWS = {1: 0.05, 2: 0.1, 3: 0.2, 4: 0.35, 5: 0.5}  # the shared row ladder of the docstrings
PAYLOAD = bytes(range(256)) * 4  # 1024 bytes, every byte value


def k_rows(severity: int, ladder: dict[int, float] = ROWS, n: int = N_ROWS) -> int:
    return math.floor(n * ladder[severity])


def cells(frame: pd.DataFrame, mask: pd.DataFrame) -> list[object]:
    """Return the values of the masked cells, row by row."""
    return list(frame.to_numpy(dtype=object)[mask.to_numpy()])


def effect_missing_values(s: int) -> int:
    df = make_serving()
    out, mask = corrupt_frame(df, "missing_values", severity=s, seed=3)
    assert (out.isna().sum() == k_rows(s)).all()
    assert mask.equals(out.isna())
    assert (out.dtypes == np.float32).all()
    return int(mask.to_numpy().sum())


def effect_gaussian_noise(s: int) -> int:
    n, scale = 400, {1: 0.5, 2: 1.0, 3: 2.0, 4: 3.0, 5: 5.0}[s]
    df = make_serving(n)[["amount", "balance", "ip_risk"]]
    out, mask = corrupt_frame(df, "gaussian_noise", severity=s, seed=3)
    assert (mask.sum() == k_rows(s, n=n)).all()
    z = np.array(cells((out - df) / df.std(ddof=0), mask), dtype=float)
    assert np.std(z) == pytest.approx(scale, rel=0.3)
    assert (out.dtypes == np.float32).all()
    return int(mask.to_numpy().sum())


def effect_scaling(s: int) -> int:
    factor = {1: 10, 2: 10, 3: 100, 4: 100, 5: 1000}[s]
    df = make_serving()
    out, mask = corrupt_frame(df, "scaling", severity=s, seed=3)
    assert (mask.sum() == k_rows(s)).all()
    np.testing.assert_allclose(cells(out, mask), cells(df * factor, mask), rtol=1e-6)
    assert cells(out, ~mask) == cells(df, ~mask)
    assert (out.dtypes == np.float32).all()
    return int(mask.to_numpy().sum())


def effect_swapped_columns(s: int) -> int:
    df = make_serving()  # 20 float columns: 10 pairs, no odd one out
    out, mask = corrupt_frame(df, "swapped_columns", severity=s, seed=3)
    assert int(mask.to_numpy().sum()) == 2 * 10 * k_rows(s)
    # A swap moves values within a row: each row keeps its multiset of values.
    np.testing.assert_array_equal(np.sort(out.to_numpy(), axis=1), np.sort(df.to_numpy(), axis=1))
    assert (out.dtypes == np.float32).all()
    return int(mask.to_numpy().sum())


def effect_categorical_shift(s: int) -> int:
    df = make_categories()
    out, mask = corrupt_frame(df, "categorical_shift", severity=s, seed=3)
    assert mask[["city", "code"]].sum().tolist() == [k_rows(s)] * 2
    assert not mask["x"].any()  # a float column is not categorical when others are
    for col in ("city", "code"):
        moved = pd.DataFrame({"old": df[col][mask[col]], "new": out[col][mask[col]]})
        assert set(moved["new"]) <= set(df[col])
        assert (moved.groupby("old")["new"].nunique() == 1).all()  # one category maps to one
    assert out["code"].dtype == np.int64
    return int(mask.to_numpy().sum())


def effect_label_flip(s: int) -> int:
    df = make_ingest()
    out, mask = corrupt_frame(df, "label_flip", severity=s, seed=3, label_column="label")
    flips = {1: 0.05, 2: 0.1, 3: 0.2, 4: 0.3, 5: 0.4}
    assert mask["label"].sum() == k_rows(s, flips) and mask.sum().sum() == mask["label"].sum()
    assert (out["label"][mask["label"]] == 1 - df["label"][mask["label"]]).all()
    assert out["label"].dtype == np.int64
    return int(mask.to_numpy().sum())


def effect_schema_drift(s: int) -> int:
    df = make_serving()
    out, mask = corrupt_frame(df, "schema_drift", severity=s, seed=3)
    changes = {1: 1, 2: 2, 3: 4, 4: 7, 5: 10}[s]  # max(1, floor(fraction·20))
    extra = [c for c in out.columns if c.endswith("_extra")]
    kept = [c for c in out.columns if c in df.columns]
    renamed = len(out.columns) - len(extra) - len(kept)
    counts = {
        "rename": renamed,
        "drop": len(df.columns) - len(kept) - renamed,
        "retype": sum(out[c].dtype == object for c in kept),
        "extra": len(extra),
    }
    assert sum(counts.values()) == changes
    assert set(counts.values()) <= {changes // 4, -(-changes // 4)}
    assert list(mask.columns) == list(out.columns)
    # Renamed, retyped (no missing cells here) and extra columns are marked whole; the rest not at all.
    assert mask.any().sum() == mask.all().sum() == changes - counts["drop"]
    json.dumps(out.to_dict(orient="records"))  # the harness can still send it
    return changes


def effect_encoding_garbage(s: int) -> int:
    df = pd.concat([make_serving()[["amount", "ip_risk"]], make_categories()[["city"]]], axis=1)
    out, mask = corrupt_frame(df, "encoding_garbage", severity=s, seed=3)
    assert (mask.sum() == k_rows(s)).all()
    garbage = [str(c) for c in cells(out, mask)]
    assert all(isinstance(c, str) for c in cells(out, mask))
    for cell in garbage:
        with pytest.raises(ValueError):
            float(cell)
    marks = "áéớú\ufffd" if s <= 2 else "Ã»ï"  # JENGA's accents, then cp1252 mojibake
    assert all(any(ch in cell for ch in marks) for cell in garbage)
    assert all("\ufffd" in cell for cell in garbage) or s < 5
    out.to_json(orient="records")  # valid Unicode: the harness's serializers never fail on it
    return int(mask.to_numpy().sum())


def effect_duplicate_records(s: int) -> int:
    df = make_ingest()
    out, mask = corrupt_frame(df, "duplicate_records", severity=s, seed=3)
    copies = mask.all(axis=1).to_numpy()
    assert len(out) == N_ROWS + k_rows(s) and copies.sum() == k_rows(s)
    assert out.index.duplicated(keep=False)[copies].all()
    assert out["id"].duplicated().sum() == k_rows(s)
    pd.testing.assert_frame_equal(out[~copies], df)  # originals keep their order
    return int(copies.sum())


def effect_reorder_records(s: int) -> int:
    df = make_ingest()
    out, mask = corrupt_frame(df, "reorder_records", severity=s, seed=3)
    moved = mask.all(axis=1).to_numpy()
    assert moved.sum() == k_rows(s) and (mask.any(axis=1) == mask.all(axis=1)).all()
    assert (out.index[moved] != df.index[moved]).all()
    pd.testing.assert_frame_equal(out.sort_index(), df)
    return int(moved.sum())


def effect_bit_flip(s: int) -> int:
    out = corrupt_bytes(PAYLOAD, "bit_flip", severity=s, seed=3)
    xor = np.bitwise_xor(np.frombuffer(out, np.uint8), np.frombuffer(PAYLOAD, np.uint8))
    flipped = int(np.unpackbits(xor).sum())
    assert len(out) == len(PAYLOAD) and flipped == {1: 1, 2: 4, 3: 16, 4: 64, 5: 256}[s]
    return flipped


def effect_truncate(s: int) -> int:
    out = corrupt_bytes(PAYLOAD, "truncate", severity=s, seed=3)
    keep = {1: 1.0, 2: 0.99, 3: 0.9, 4: 0.5, 5: 0.1}[s]
    assert len(out) == min(len(PAYLOAD) - 1, math.floor(len(PAYLOAD) * keep))
    assert PAYLOAD.startswith(out)
    return len(PAYLOAD) - len(out)


EFFECTS: dict[str, Callable[[int], int]] = {
    name.removeprefix("effect_"): fn for name, fn in globals().items() if name.startswith("effect_")
}


def test_every_registered_kind_has_an_effect_test() -> None:
    assert sorted(EFFECTS) == CORRUPTIONS.kinds()


@pytest.mark.parametrize("severity", SEVERITIES)
@pytest.mark.parametrize("kind", CORRUPTIONS.kinds())
def test_documented_effect(kind: str, severity: int) -> None:
    assert kind in EFFECTS, f"no effect test for {kind}"
    assert EFFECTS[kind](severity) > 0


@pytest.mark.parametrize("kind", CORRUPTIONS.kinds())
def test_higher_severity_corrupts_strictly_more(kind: str) -> None:
    amounts = [EFFECTS[kind](s) for s in SEVERITIES]
    assert amounts == sorted(set(amounts)), amounts
