"""SLO objectives as written ("<= 300ms", ">= 99.9%", "<= 2x baseline") and their parsing."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Unit = Literal["ratio", "ms", "s", "count"]

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
}
_RE = re.compile(r"^\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(%|ms|s|m|x\s*baseline)?\s*$", re.IGNORECASE)
_TIME_TO = {"ms": {"ms": 1.0, "s": 1000.0, "m": 60000.0}, "s": {"ms": 0.001, "s": 1.0, "m": 60.0}}


@dataclass(frozen=True)
class Objective:
    """A bound on a measured value: `op value` in the metric's unit, or `op factor x baseline`."""

    text: str
    op: str
    value: float
    relative: bool

    def holds(self, measured: float, threshold: float) -> bool:
        """Whether `measured` meets the objective against a resolved `threshold`."""
        return _OPS[self.op](measured, threshold)

    def threshold(self, baseline: float | None) -> float | None:
        """The absolute bound; relative objectives need the baseline value (None if unknown)."""
        if not self.relative:
            return self.value
        return None if baseline is None else self.value * baseline


def parse_objective(text: str, unit: Unit) -> Objective:
    """Parse an objective for a metric measured in `unit`; ValueError explains what is wrong."""
    match = _RE.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(
            f"invalid objective {text!r}: write e.g. '<= 300ms', '>= 99.9%' or '<= 2x baseline'"
        )
    op, number, suffix = match.group(1), float(match.group(2)), (match.group(3) or "").lower()
    if suffix.startswith("x"):
        return Objective(text.strip(), op, number, relative=True)
    return Objective(text.strip(), op, _convert(number, suffix, unit, text), relative=False)


def _convert(number: float, suffix: str, unit: Unit, text: str) -> float:
    if unit == "count":
        if suffix == "":
            return number
        raise ValueError(f"objective {text!r} is a count: write a plain number, e.g. '<= 0'")
    if unit == "ratio":
        if suffix == "%":
            return number / 100.0
        if suffix == "" and number <= 1.0:
            return number
        raise ValueError(
            f"objective {text!r} is a ratio: write it as a percentage ('99.9%') or 0..1"
        )
    if suffix in _TIME_TO[unit]:
        return number * _TIME_TO[unit][suffix]
    raise ValueError(f"objective {text!r} needs a time unit, e.g. '300ms' or '30s'")
