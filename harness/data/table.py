"""A user's labelled rows: a CSV or Parquet file read into float32 features and class indices.

The header is read on its own first (cheap: the first line of a CSV, the schema of a Parquet
file), so `harness validate` can check the columns against the scenario without loading rows.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from harness.errors import HarnessError, suggest

CSV_SUFFIXES = (".csv",)
PARQUET_SUFFIXES = (".parquet", ".pq")
MIN_ROWS = 2
_PANDAS_INDEX = re.compile(r"__index_level_\d+__")
Label = int | str


class DatasetError(HarnessError):
    """A dataset file that cannot be used; the message names the file."""

    def __init__(self, path: Path, problem: str, *, hint: str | None = None) -> None:
        super().__init__(f"dataset {path}: {problem}", hint=hint)
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class ColumnProblem:
    """A column the scenario names that the file does not have as asked.

    `field` is where the name is written under `load.dataset`: ("label",) or ("features", i).
    """

    field: tuple[str | int, ...]
    message: str
    hint: str | None = None


@dataclass(frozen=True, eq=False)
class Table:
    """The rows of a dataset file: X (rows × features, float32), y (indices into `classes`)."""

    path: Path
    label: str
    features: tuple[str, ...]
    classes: tuple[Label, ...]
    X: np.ndarray
    y: np.ndarray

    @property
    def rows(self) -> int:
        """How many labelled rows the file holds."""
        return len(self.y)


def read_header(path: Path) -> tuple[str, ...]:
    """The file's column names, in order, without reading its rows."""
    _check_file(path)
    try:
        names = _parquet_names(path) if _is_parquet(path) else _csv_names(path)
    except (OSError, UnicodeDecodeError, csv.Error, ValueError) as exc:
        raise DatasetError(path, f"cannot read the header: {exc}") from None
    if not names:
        raise DatasetError(path, "the file is empty", hint="the first line names the columns")
    seen: set[str] = set()
    twice = [n for n in names if n in seen or seen.add(n)]  # type: ignore[func-returns-value]
    if twice:
        raise DatasetError(
            path,
            f"column {twice[0]!r} appears more than once in the header",
            hint="give every column its own name",
        )
    return names


def column_problems(
    header: Sequence[str], label: str, features: Sequence[str] | None
) -> list[ColumnProblem]:
    """What is wrong with the label and feature columns the scenario names, each on its own."""
    problems: list[ColumnProblem] = []
    if label not in header:
        problems.append(
            ColumnProblem(("label",), f"no label column named {label!r}", suggest(label, header))
        )
    known = [c for c in header if c != label]
    seen: set[str] = set()
    for i, name in enumerate(features or ()):
        where: tuple[str | int, ...] = ("features", i)
        if name == label:
            problems.append(ColumnProblem(where, f"{name!r} is the label: it cannot be a feature"))
        elif name not in header:
            problems.append(
                ColumnProblem(where, f"no feature column named {name!r}", suggest(name, known))
            )
        elif name in seen:
            problems.append(ColumnProblem(where, f"feature column {name!r} is listed twice"))
        seen.add(name)
    if features is None and label in header and not known:
        problems.append(ColumnProblem(("label",), "the file has no column besides the label"))
    return problems


def feature_columns(
    header: Sequence[str], label: str, features: Sequence[str] | None
) -> tuple[str, ...]:
    """The columns sent, in order: the ones named, or every column but the label."""
    return tuple(features) if features is not None else tuple(c for c in header if c != label)


def read_table(path: Path, label: str = "label", features: Sequence[str] | None = None) -> Table:
    """Read the labelled rows of a CSV or Parquet file; every problem is a DatasetError."""
    header = read_header(path)
    problems = column_problems(header, label, features)
    if problems:
        first = problems[0]
        raise DatasetError(path, first.message, hint=first.hint)
    columns = feature_columns(header, label, features)
    frame = _read_frame(path, [label, *columns])
    if len(frame) < MIN_ROWS:
        raise DatasetError(
            path,
            f"{len(frame)} labelled row{'s' if len(frame) != 1 else ''}: at least {MIN_ROWS} needed",
        )
    classes, y = _labels(path, label, frame[label])
    X = np.column_stack([_feature(path, name, frame[name]) for name in columns])
    return Table(path, label, columns, classes, X.astype(np.float32), y)


def _check_file(path: Path) -> None:
    if not (_is_parquet(path) or path.suffix.lower() in CSV_SUFFIXES):
        raise DatasetError(
            path,
            f"unknown file type {path.suffix or '(no suffix)'!r}",
            hint="a dataset is a .csv or .parquet file",
        )
    if not path.is_file():
        raise DatasetError(
            path, "no such file", hint="a relative path is read from the scenario's folder"
        )


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in PARQUET_SUFFIXES


def _csv_names(path: Path) -> tuple[str, ...]:
    # utf-8-sig: a spreadsheet's byte-order mark is not part of the first column's name
    with path.open(newline="", encoding="utf-8-sig") as f:
        first = next(csv.reader(f), [])
    return tuple(n.strip() for n in first) if any(n.strip() for n in first) else ()


def _parquet_names(path: Path) -> tuple[str, ...]:
    import pyarrow.parquet as pq  # only Parquet needs it

    try:
        names = pq.ParquetFile(path).schema_arrow.names
    except Exception as exc:  # pyarrow raises its own kinds for a file that is not Parquet
        raise ValueError(f"not a Parquet file ({exc})") from None
    # pandas writes a frame's unnamed non-default index as a column: it is not the user's data
    return tuple(n for n in names if not _PANDAS_INDEX.fullmatch(n))


def _read_frame(path: Path, columns: list[str]) -> pd.DataFrame:
    try:
        if _is_parquet(path):
            return pd.read_parquet(path, columns=columns)
        frame = pd.read_csv(path, encoding="utf-8-sig", skipinitialspace=True)
        frame.columns = [str(c).strip() for c in frame.columns]
        return frame[columns]
    except Exception as exc:  # pandas and pyarrow raise many kinds for a malformed file
        raise DatasetError(path, f"cannot read the rows: {exc}") from None


def _labels(path: Path, label: str, values: pd.Series) -> tuple[tuple[Label, ...], np.ndarray]:
    """Classes (the sorted unique labels) and y, each row's index among them."""
    missing = values.isna().to_numpy()
    if missing.any():
        row = int(np.argmax(missing)) + 1
        raise DatasetError(
            path,
            f"{int(missing.sum())} row(s) have no label in column {label!r} (the first: row {row})",
            hint="every row needs its label; drop the unlabelled ones",
        )
    raw = _label_values(path, label, values)
    classes, y = np.unique(raw, return_inverse=True)
    return tuple(_plain(c) for c in classes), y.astype(np.int64).reshape(-1)


def _label_values(path: Path, label: str, values: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(values):
        return np.asarray(values.to_numpy(dtype=np.int64))
    if pd.api.types.is_numeric_dtype(values):
        floats = values.to_numpy(dtype=np.float64)
        whole = np.isfinite(floats) & (floats == np.round(floats))
        if not whole.all():
            bad = _shown(values.iloc[int(np.argmin(whole))])
            raise DatasetError(
                path,
                f"label column {label!r} holds {bad!r}: labels are class names or whole numbers",
                hint="a regression target cannot be scored as accuracy",
            )
        return np.asarray(floats.astype(np.int64))
    return np.array([str(v) for v in values], dtype=object)


def _feature(path: Path, name: str, values: pd.Series) -> np.ndarray:
    """A feature column as float64 (float32 at the end); a non-numeric one is an error."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan))
    parsed = pd.to_numeric(values, errors="coerce")
    bad = parsed.isna() & values.notna()
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        raise DatasetError(
            path,
            f"feature column {name!r} is not numeric: row {row + 1} holds {_shown(values.iloc[row])!r}",
            hint="features are sent as numbers: encode it, or leave it out of load.dataset.features",
        )
    return np.asarray(parsed.to_numpy(dtype=np.float64, na_value=np.nan))


def _plain(value: Any) -> Label:
    """A class as JSON writes it: a Python int or str, never a numpy scalar."""
    if isinstance(value, np.generic):
        value = value.item()
    return value if isinstance(value, int) else str(value)


def _shown(value: Any) -> Any:
    """A cell as the user wrote it: 0.5, not np.float64(0.5)."""
    return value.item() if isinstance(value, np.generic) else value
