"""Corruption kinds, their registry, severity tables and the error raised on bad input."""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar, TypeVar

import numpy as np
import pandas as pd

from harness.errors import HarnessError, suggest
from harness.registry import Registry

Param = float | int | str
SeverityTable = Mapping[int, Mapping[str, Param]]
SEVERITIES = (1, 2, 3, 4, 5)
# Share of rows a row-based kind touches at each severity (the shared ladder of most tabular kinds).
ROW_FRACTION: dict[int, float] = {1: 0.05, 2: 0.1, 3: 0.2, 4: 0.35, 5: 0.5}


class CorruptionError(HarnessError):
    """A corruption asked for with bad input: unknown kind or column, severity or fraction out of range."""


class Target(enum.Enum):
    """What a kind corrupts: a pandas frame or stored bytes."""

    FRAME = "frame"
    BYTES = "bytes"


class Mechanism(enum.Enum):
    """How rows are picked (JENGA `sampling`): at random, by another column, or by the column itself."""

    MCAR = "MCAR"
    MAR = "MAR"
    MNAR = "MNAR"


@dataclass(frozen=True)
class FrameJob:
    """One validated request to corrupt a frame: what a frame kind's `apply` receives."""

    frame: pd.DataFrame
    columns: tuple[str, ...]
    params: Mapping[str, Param]
    rng: np.random.Generator
    mechanism: Mechanism
    label_column: str | None

    @property
    def fraction(self) -> float:
        """Return the share of rows (or columns) to touch."""
        return float(self.params["fraction"])


class Corruption(ABC):
    """Base of every kind: its name, what it corrupts, and its documented severity table."""

    kind: ClassVar[str]
    target: ClassVar[Target]
    severity_table: ClassVar[SeverityTable]
    # A row of numbers stays a row of as many numbers (values change or go missing, NaN): the
    # kind can corrupt a serving request, which must still be a model input.
    keeps_shape: ClassVar[bool] = False


class FrameCorruption(Corruption):
    """A kind that returns a corrupted copy of a frame and a mask of the cells it touched."""

    target = Target.FRAME
    # Row-level kinds (duplicates, reordering) take at most one column: the one MNAR/MAR sort by.
    row_level: ClassVar[bool] = False

    def default_columns(self, df: pd.DataFrame, label_column: str | None) -> list[str]:
        """Return the columns corrupted when the caller names none: every column but the label."""
        return [str(c) for c in df.columns if c != label_column]

    def column_problem(self, series: pd.Series) -> str | None:
        """Say why this column cannot take the corruption, or None when it can."""
        return None

    @abstractmethod
    def apply(self, job: FrameJob) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Return the corrupted copy and the boolean mask of touched cells."""


class BytesCorruption(Corruption):
    """A kind that returns corrupted bytes."""

    target = Target.BYTES

    @abstractmethod
    def apply(self, data: bytes, params: Mapping[str, Param], rng: np.random.Generator) -> bytes:
        """Return the corrupted bytes."""


CORRUPTIONS: Registry[type[Corruption]] = Registry("corruption")
C = TypeVar("C", bound=type[Corruption])


def register_corruption(kind: str) -> Callable[[C], C]:
    """Decorator: name the class's kind and register it."""

    def deco(cls: C) -> C:
        cls.kind = kind
        CORRUPTIONS.register(kind)(cls)
        return cls

    return deco


def did_you_mean(name: str, options: Iterable[str]) -> str:
    """Return a hint listing the options, with the closest match first when there is one."""
    return suggest(name, sorted(options))


def is_numeric(series: pd.Series) -> bool:
    """Tell whether a column holds numbers (booleans excluded)."""
    return bool(pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series))


def is_text(series: pd.Series) -> bool:
    """Tell whether a column holds strings (object or string dtype)."""
    return bool(pd.api.types.is_string_dtype(series) or pd.api.types.is_object_dtype(series))


def empty_mask(frame: pd.DataFrame) -> pd.DataFrame:
    """Return an all-False mask shaped like `frame`."""
    return pd.DataFrame(np.zeros(frame.shape, dtype=bool), index=frame.index, columns=frame.columns)


def changed(before: pd.Series, after: pd.Series) -> np.ndarray:
    """Return which cells differ, by value and type: NaN equals NaN, 1.5 differs from "1.5"."""
    if _plain_numbers(before) and _plain_numbers(after):  # the fast path for numeric features
        x, y = before.to_numpy(), after.to_numpy()
        return np.asarray(~((x == y) | (np.isnan(x) & np.isnan(y))), dtype=bool)
    a = before.to_numpy(dtype=object, copy=True)
    b = after.to_numpy(dtype=object, copy=True)
    na_a, na_b = pd.isna(a), pd.isna(b)
    # A shared sentinel makes missing == missing without comparing pd.NA (which has no truth value).
    a[na_a] = b[na_b] = _MISSING
    same = (x == y and isinstance(x, str) == isinstance(y, str) for x, y in zip(a, b, strict=True))
    return ~np.fromiter(same, dtype=bool, count=len(a))


_MISSING = object()


def _plain_numbers(series: pd.Series) -> bool:
    return isinstance(series.dtype, np.dtype) and series.dtype.kind in "iuf"


def ladder(**columns: Mapping[int, Param]) -> SeverityTable:
    """Build a severity table from one {severity: value} mapping per parameter."""
    return {s: {name: values[s] for name, values in columns.items()} for s in SEVERITIES}


def fraction_rows(n: int, fraction: float) -> int:
    """Return how many of `n` rows a fraction selects: floor(n·fraction), all rows at 1 (as JENGA)."""
    return n if fraction >= 1 else int(n * fraction)
