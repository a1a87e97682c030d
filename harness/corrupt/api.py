"""The public entry points: corrupt a frame or bytes, and describe what a severity means."""

from __future__ import annotations

import numbers
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from harness.corrupt.base import (
    CORRUPTIONS,
    SEVERITIES,
    BytesCorruption,
    Corruption,
    CorruptionError,
    FrameCorruption,
    FrameJob,
    Mechanism,
    Param,
    did_you_mean,
)

Seed = int | np.random.Generator


@dataclass(frozen=True)
class SeverityInfo:
    """What a kind does at one severity: its documented parameters and one-line summary."""

    kind: str
    target: str
    severity: int
    params: Mapping[str, Param]
    summary: str


def corrupt_frame(
    df: pd.DataFrame,
    kind: str,
    *,
    severity: int,
    seed: Seed,
    columns: Sequence[str] | None = None,
    fraction: float | None = None,
    label_column: str | None = None,
    mechanism: str = "MCAR",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return a corrupted copy of `df` and a boolean mask of the cells the corruption touched.

    `fraction` overrides the severity's documented fraction; `mechanism` (MCAR, MAR, MNAR) picks
    the rows as JENGA does. The input frame is never modified.
    """
    impl = _lookup(kind, FrameCorruption)
    assert isinstance(impl, FrameCorruption)
    if not isinstance(df, pd.DataFrame):
        raise CorruptionError(f"{kind} corrupts a pandas DataFrame, got {type(df).__name__}")
    if not df.columns.is_unique:
        dupes = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise CorruptionError(f"the frame has duplicate column names: {', '.join(dupes)}")
    params = _params(impl, severity, fraction)
    mech = _mechanism(mechanism)
    if label_column is not None:
        _check_column(df, label_column, "label column")
    cols = _columns(impl, df, columns, label_column)
    job = FrameJob(df, cols, params, _rng(seed), mech, label_column)
    return impl.apply(job)


def corrupt_bytes(data: bytes, kind: str, *, severity: int, seed: Seed) -> bytes:
    """Return a corrupted copy of `data` (an object at rest: a file, a model artifact)."""
    impl = _lookup(kind, BytesCorruption)
    assert isinstance(impl, BytesCorruption)
    if not isinstance(data, bytes | bytearray | memoryview):
        raise CorruptionError(f"{kind} corrupts bytes, got {type(data).__name__}")
    return impl.apply(bytes(data), _params(impl, severity, None), _rng(seed))


def describe(kind: str, severity: int) -> SeverityInfo:
    """Return the documented parameters of `kind` at `severity`, with its one-line summary."""
    impl = _lookup(kind, None)
    params = _params(impl, severity, None)
    return SeverityInfo(kind, impl.target.value, int(severity), params, _summary(impl))


def severity_markdown(kind: str) -> str:
    """Return the Markdown table of a kind's parameters at severities 1..5 (as in its docstring)."""
    table = _lookup(kind, None).severity_table
    names = list(table[1])
    rows = ["| severity | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for s in SEVERITIES:
        rows.append(f"| {s} | " + " | ".join(str(table[s][n]) for n in names) + " |")
    return "\n".join(rows)


def _summary(impl: Corruption) -> str:
    doc = sys.modules[type(impl).__module__].__doc__ or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def _lookup(kind: str, want: type[Corruption] | None) -> Corruption:
    if kind not in CORRUPTIONS:
        raise CorruptionError(
            f"unknown corruption kind {kind!r}", hint=did_you_mean(kind, CORRUPTIONS.kinds())
        )
    impl = CORRUPTIONS.get(kind)()
    if want is not None and not isinstance(impl, want):
        other = "corrupt_bytes" if impl.target.value == "bytes" else "corrupt_frame"
        raise CorruptionError(f"{kind!r} corrupts {impl.target.value}", hint=f"use {other}")
    return impl


def _params(impl: Corruption, severity: int, fraction: float | None) -> dict[str, Param]:
    whole = isinstance(severity, int | np.integer) and not isinstance(severity, bool)
    if not whole or severity not in SEVERITIES:
        raise CorruptionError(
            f"severity must be an integer from 1 to 5, got {severity!r}",
            hint="1 is the mildest, 5 the harshest (as in ImageNet-C)",
        )
    params = dict(impl.severity_table[int(severity)])
    if fraction is not None:
        if "fraction" not in params:
            raise CorruptionError(f"{impl.kind} takes no fraction", hint="leave fraction unset")
        ok = isinstance(fraction, numbers.Real) and not isinstance(fraction, bool)
        if not ok or not 0.0 <= float(fraction) <= 1.0:
            raise CorruptionError(
                f"fraction must be between 0 and 1, got {fraction!r}",
                hint="0.2 means 20% of the rows",
            )
        params["fraction"] = float(fraction)
    return params


def _mechanism(name: str) -> Mechanism:
    try:
        return Mechanism(name.upper() if isinstance(name, str) else name)
    except ValueError:
        hint = did_you_mean(str(name).upper(), [m.value for m in Mechanism])
        raise CorruptionError(f"unknown missingness mechanism {name!r}", hint=hint) from None


def _check_column(df: pd.DataFrame, column: str, what: str = "column") -> None:
    if column not in df.columns:
        hint = did_you_mean(str(column), [str(c) for c in df.columns])
        raise CorruptionError(f"{what} {column!r} is not in the frame", hint=hint)


def _columns(
    impl: FrameCorruption, df: pd.DataFrame, columns: Sequence[str] | None, label: str | None
) -> tuple[str, ...]:
    if isinstance(columns, str):
        columns = [columns]
    if columns is None:
        chosen = tuple(impl.default_columns(df, label))
        if not chosen and not impl.row_level:
            raise CorruptionError(
                f"{impl.kind} found no column it can corrupt in the frame",
                hint="name the columns explicitly, or pick a kind for these column types",
            )
        return chosen
    if not columns and not impl.row_level:
        raise CorruptionError(
            f"{impl.kind} was given an empty list of columns", hint="leave columns unset for all"
        )
    for col in columns:
        _check_column(df, col)
        problem = impl.column_problem(df[col])
        if problem:
            raise CorruptionError(f"{impl.kind} cannot corrupt column {col!r}: {problem}")
    if impl.row_level and len(columns) > 1:
        raise CorruptionError(
            f"{impl.kind} acts on whole rows and takes at most one column (the one MNAR sorts by)",
            hint=f"got {len(columns)} columns",
        )
    return tuple(columns)


def _rng(seed: Seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise CorruptionError(
            f"seed must be a non-negative integer or a numpy Generator, got {seed!r}"
        )
    return np.random.default_rng(int(seed))
