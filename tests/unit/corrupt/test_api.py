"""The public entry points: seeding, purity, masks, documentation, and clear errors on bad input."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pandas as pd
import pytest

import harness.corrupt as corrupt
from harness.corrupt import (
    CORRUPTIONS,
    SEVERITIES,
    CorruptionError,
    Target,
    corrupt_bytes,
    corrupt_frame,
    describe,
    severity_markdown,
)
from harness.errors import HarnessError

from .conftest import make_ingest

FRAME_KINDS = [k for k in CORRUPTIONS.kinds() if CORRUPTIONS.get(k).target is Target.FRAME]
BYTES_KINDS = [k for k in CORRUPTIONS.kinds() if CORRUPTIONS.get(k).target is Target.BYTES]
# Kinds whose output keeps the input's shape, so cell-by-cell comparison is meaningful.
IN_PLACE = sorted(set(FRAME_KINDS) - {"duplicate_records", "reorder_records", "schema_drift"})
RECORD = b'{"id": "rec-0001", "ts": 1700000000.5, "amount": 312.5, "label": 1}\n' * 8


def ingest_kwargs() -> dict[str, Any]:
    return {"label_column": "label"}


def cell_differs(a: object, b: object) -> bool:
    """Tell whether a cell changed: NaN stays NaN; 1.5 and "1.5" differ."""
    if pd.isna(a) and pd.isna(b):  # type: ignore[arg-type]
        return False
    return bool(a != b or type(a) is not type(b))


def frame_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_json(orient="split", double_precision=15).encode()


def test_public_api_is_pinned() -> None:
    assert sorted(corrupt.__all__) == sorted(
        [
            "CORRUPTIONS",
            "SEVERITIES",
            "CorruptionError",
            "CorruptionRequest",
            "Mechanism",
            "SeverityInfo",
            "Target",
            "corrupt_bytes",
            "corrupt_frame",
            "describe",
            "register_corruption",
            "severity_markdown",
            "severity_share",
        ]
    )


@pytest.mark.parametrize("severity", SEVERITIES)
@pytest.mark.parametrize("kind", FRAME_KINDS)
def test_frame_kind_same_seed_same_bytes(kind: str, severity: int) -> None:
    df = make_ingest()
    runs = [corrupt_frame(df, kind, severity=severity, seed=11, **ingest_kwargs()) for _ in "ab"]
    assert frame_bytes(runs[0][0]) == frame_bytes(runs[1][0])
    assert runs[0][1].equals(runs[1][1])
    other, _ = corrupt_frame(df, kind, severity=severity, seed=12, **ingest_kwargs())
    assert frame_bytes(other) != frame_bytes(runs[0][0])


@pytest.mark.parametrize("severity", SEVERITIES)
@pytest.mark.parametrize("kind", BYTES_KINDS)
def test_bytes_kind_same_seed_same_bytes(kind: str, severity: int) -> None:
    first = corrupt_bytes(RECORD, kind, severity=severity, seed=11)
    assert first == corrupt_bytes(RECORD, kind, severity=severity, seed=11)
    assert first != RECORD
    assert corrupt_bytes(b"", kind, severity=severity, seed=11) == b""


def test_bit_flips_in_a_serialized_record_give_invalid_utf8() -> None:
    # The documented way to put invalid UTF-8 on the wire: corrupt the record's bytes.
    outcomes = []
    for seed in range(20):
        flipped = corrupt_bytes(RECORD, "bit_flip", severity=3, seed=seed)
        try:
            flipped.decode("utf-8")
            outcomes.append(False)
        except UnicodeDecodeError:
            outcomes.append(True)
    assert sum(outcomes) >= 15  # 16 flips miss every high bit with probability (7/8)^16 ≈ 0.12


@pytest.mark.parametrize("kind", FRAME_KINDS)
def test_input_frame_is_never_modified(kind: str) -> None:
    df = make_ingest()
    before = df.copy(deep=True)
    corrupt_frame(df, kind, severity=5, seed=1, mechanism="MNAR", columns=["amount"])
    corrupt_frame(df, kind, severity=5, seed=1, **ingest_kwargs())
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize("severity", SEVERITIES)
@pytest.mark.parametrize("kind", IN_PLACE)
def test_mask_marks_exactly_the_changed_cells(kind: str, severity: int) -> None:
    df = make_ingest()
    out, mask = corrupt_frame(df, kind, severity=severity, seed=5, **ingest_kwargs())
    assert out.shape == df.shape and list(mask.columns) == list(out.columns)
    assert all(dtype == np.bool_ for dtype in mask.dtypes) and mask.index.equals(out.index)
    pairs = zip(df.to_numpy(dtype=object).ravel(), out.to_numpy(dtype=object).ravel(), strict=True)
    differs = np.array([cell_differs(a, b) for a, b in pairs]).reshape(df.shape)
    np.testing.assert_array_equal(mask.to_numpy(), differs)


@pytest.mark.parametrize("kind", CORRUPTIONS.kinds())
def test_docstring_table_is_the_severity_table(kind: str) -> None:
    module = sys.modules[CORRUPTIONS.get(kind).__module__]
    assert severity_markdown(kind) in (module.__doc__ or "")
    for s in SEVERITIES:
        info = describe(kind, s)
        assert dict(info.params) == dict(CORRUPTIONS.get(kind).severity_table[s])
        assert info.summary.startswith(f"Kind `{kind}`")


def test_fraction_overrides_the_severity() -> None:
    df = make_ingest()
    out, mask = corrupt_frame(df, "missing_values", severity=1, seed=0, fraction=0.25)
    assert (mask.sum() == 10).all()
    out, mask = corrupt_frame(df, "missing_values", severity=1, seed=0, fraction=1.0)
    assert out.isna().all().all()


def test_seed_may_be_a_generator() -> None:
    df = make_ingest()
    a, _ = corrupt_frame(df, "scaling", severity=3, seed=np.random.default_rng(4))
    b, _ = corrupt_frame(df, "scaling", severity=3, seed=np.random.default_rng(4))
    pd.testing.assert_frame_equal(a, b)


def bad(fn: Any, *args: Any, **kwargs: Any) -> CorruptionError:
    with pytest.raises(CorruptionError) as info:
        fn(*args, **kwargs)
    assert isinstance(info.value, HarnessError) and info.value.message
    return info.value


def test_unknown_kind_suggests_the_closest() -> None:
    err = bad(corrupt_frame, make_ingest(), "scalng", severity=1, seed=0)
    assert "scalng" in err.message and "did you mean 'scaling'" in (err.hint or "")
    assert "did you mean 'bit_flip'" in (bad(describe, "bitflip", 1).hint or "")


def test_unknown_column_suggests_the_closest() -> None:
    err = bad(corrupt_frame, make_ingest(), "scaling", severity=1, seed=0, columns=["amout"])
    assert "'amout'" in err.message and "did you mean 'amount'" in (err.hint or "")
    err = bad(corrupt_frame, make_ingest(), "label_flip", severity=1, seed=0, label_column="lbl")
    assert "label column 'lbl'" in err.message


@pytest.mark.parametrize("severity", [0, 6, -1, True, "3", 2.0, None])
def test_severity_outside_1_to_5(severity: Any) -> None:
    err = bad(corrupt_frame, make_ingest(), "scaling", severity=severity, seed=0)
    assert "severity must be an integer from 1 to 5" in err.message
    bad(corrupt_bytes, RECORD, "bit_flip", severity=severity, seed=0)
    bad(describe, "bit_flip", severity)


@pytest.mark.parametrize("fraction", [-0.1, 1.5, float("nan"), True, "0.5"])
def test_fraction_outside_0_to_1(fraction: Any) -> None:
    err = bad(corrupt_frame, make_ingest(), "scaling", severity=1, seed=0, fraction=fraction)
    assert "fraction must be between 0 and 1" in err.message


@pytest.mark.parametrize("seed", [-1, True, 1.5, "7"])
def test_bad_seed(seed: Any) -> None:
    assert "seed" in bad(corrupt_bytes, RECORD, "bit_flip", severity=1, seed=seed).message


def test_unknown_mechanism() -> None:
    err = bad(corrupt_frame, make_ingest(), "scaling", severity=1, seed=0, mechanism="MXAR")
    assert "MXAR" in err.message and "did you mean" in (err.hint or "")


def test_mechanisms_that_need_a_column() -> None:
    df = make_ingest()
    err = bad(corrupt_frame, df, "duplicate_records", severity=1, seed=0, mechanism="MNAR")
    assert "MNAR needs a column" in err.message
    one = df[["amount"]]
    assert (
        "MAR needs a column other"
        in bad(corrupt_frame, one, "missing_values", severity=1, seed=0, mechanism="MAR").message
    )
    err = bad(corrupt_frame, df, "reorder_records", severity=1, seed=0, columns=["ts", "amount"])
    assert "at most one column" in err.message


def test_wrong_target_names_the_other_function() -> None:
    assert bad(corrupt_bytes, RECORD, "scaling", severity=1, seed=0).hint == "use corrupt_frame"
    err = bad(corrupt_frame, make_ingest(), "truncate", severity=1, seed=0)
    assert err.hint == "use corrupt_bytes"
    assert "corrupts bytes" in bad(corrupt_bytes, "text", "truncate", severity=1, seed=0).message
    assert "DataFrame" in bad(corrupt_frame, [1, 2], "scaling", severity=1, seed=0).message


def test_columns_the_kind_cannot_take() -> None:
    df = make_ingest()
    err = bad(corrupt_frame, df, "gaussian_noise", severity=1, seed=0, columns=["id"])
    assert "cannot corrupt column 'id'" in err.message and "not numeric" in err.message
    assert "empty" in bad(corrupt_frame, df, "scaling", severity=1, seed=0, columns=[]).message
    assert "label_column" in (bad(corrupt_frame, df, "label_flip", severity=1, seed=0).hint or "")
    err = bad(corrupt_frame, df[["id"]], "scaling", severity=1, seed=0)
    assert "no column it can corrupt" in err.message
    err = bad(corrupt_frame, df[["id", "amount"]], "swapped_columns", severity=1, seed=0)
    assert "no two columns" in err.message


def test_duplicate_column_names_are_refused() -> None:
    df = pd.DataFrame([[1.0, 2.0]], columns=["a", "a"])
    assert (
        "duplicate column names: a" in bad(corrupt_frame, df, "scaling", severity=1, seed=0).message
    )
