"""Durations and SLO objectives as users write them."""

from __future__ import annotations

import pytest

from harness.scenario.durations import format_duration, parse_duration
from harness.scenario.objective import parse_objective


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("250ms", 0.25),
        ("30s", 30.0),
        ("2m", 120.0),
        ("1.5h", 5400.0),
        (12, 12.0),
        ("7", 7.0),
    ],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["-1s", "soon", "10 parsecs", True, [1]])
def test_bad_durations(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_format_duration() -> None:
    assert [format_duration(s) for s in (0.25, 30, 120, 90)] == ["250ms", "30s", "2m", "90s"]


def test_objectives() -> None:
    assert parse_objective(">= 99.9%", "ratio").value == pytest.approx(0.999)
    assert parse_objective(">= 0.95", "ratio").value == 0.95
    assert parse_objective("<= 300ms", "ms").value == 300
    assert parse_objective("<= 1.5s", "ms").value == 1500
    assert parse_objective("<= 2m", "s").value == 120
    rel = parse_objective("<= 2x baseline", "ms")
    assert rel.relative and rel.threshold(40.0) == 80.0 and rel.threshold(None) is None
    assert rel.holds(79.0, 80.0) and not rel.holds(81.0, 80.0)


@pytest.mark.parametrize(("text", "unit"), [("<= 300", "ms"), (">= 99", "ratio"), ("~ 5s", "s")])
def test_bad_objectives(text: str, unit: str) -> None:
    with pytest.raises(ValueError):
        parse_objective(text, unit)  # type: ignore[arg-type]
