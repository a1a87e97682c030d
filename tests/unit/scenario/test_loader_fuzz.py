"""Fuzz the loader with mutations of the shipped scenarios: a located error or a scenario.

Deleted, duplicated and re-indented lines, and values (or keys) replaced by one of every YAML
type. Whatever comes out, `load_scenario` either returns a scenario or raises a HarnessError
whose every error names a line; never another exception. Seeded (derandomize), so CI is
reproducible; the crashes it found each have a plain test in test_bad_input.py.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.errors import HarnessError, ScenarioError
from harness.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = {p.name: p.read_text() for p in sorted((ROOT / "scenarios").glob("*.yaml"))}

# One or more of every YAML type, with the edge cases the loader must survive.
VALUES = [
    "null", "~", "true", "no", "0", "-3", "7", "1.5", ".nan", "-.inf",
    "1e400", "123456789012345678901234567890", "0x1F", "1_000",
    '"text"', "''", "5s5", "-5s", "99999999999d",
    "[]", "[1, x]", "{}", "{a: 1}", "2024-01-01", "2024-01-01T10:00:00Z", "12:30:00",
    "&anchor 5", "&anchor {at: 1s}", "*anchor", "<<", "!foo x", "!!float x", "!!binary aGk=",
    "!!set {a, b}", "'\x07'",
]  # fmt: skip
KEYS = ["[a]", "{a: 1}", "1", "null", "true", "2024-01-01", "<<", "? x", "kind"]

# A value after `key: ` or `- ` (block or flow), and a key before `: `.
_VALUE = re.compile(r"(?<=: )[^,{}\[\]#\n]+|(?<=- )[^,{}\[\]#\n:]+")
_KEY = re.compile(r"[A-Za-z_]+(?=: )")

Lines = list[str]
Op = Callable[[Lines, int, st.DrawFn], Lines]


def _delete(lines: Lines, i: int, draw: st.DrawFn) -> Lines:
    return lines[:i] + lines[i + 1 :]


def _duplicate(lines: Lines, i: int, draw: st.DrawFn) -> Lines:
    return lines[: i + 1] + lines[i:]


def _indent(lines: Lines, i: int, draw: st.DrawFn) -> Lines:
    line = lines[i]
    shift = draw(st.sampled_from([-4, -2, -1, 1, 2, 4]))
    new = " " * shift + line if shift > 0 else line[min(-shift, len(line) - len(line.lstrip())) :]
    return [*lines[:i], new, *lines[i + 1 :]]


def _replace(pattern: re.Pattern[str], choices: list[str]) -> Op:
    def op(lines: Lines, i: int, draw: st.DrawFn) -> Lines:
        spots = list(pattern.finditer(lines[i]))
        if not spots:
            return lines
        spot = draw(st.sampled_from(spots))
        new = lines[i][: spot.start()] + draw(st.sampled_from(choices)) + lines[i][spot.end() :]
        return [*lines[:i], new, *lines[i + 1 :]]

    return op


OPS: list[Op] = [_delete, _duplicate, _indent, _replace(_VALUE, VALUES), _replace(_KEY, KEYS)]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A shipped scenario with one to four mutations."""
    lines = SHIPPED[draw(st.sampled_from(sorted(SHIPPED)))].splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        lines = draw(st.sampled_from(OPS))(lines, i, draw)
    return "".join(lines)


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp) / "s.yaml"


def unlocated(exc: HarnessError) -> list[str]:
    """The errors that name no line."""
    errors = exc.errors if isinstance(exc, ScenarioError) else [exc]
    return [e.render() for e in errors if e.location is None or e.location.line is None]


@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(text=mutated())
def test_a_mutated_scenario_loads_or_every_error_names_a_line(scratch: Path, text: str) -> None:
    scratch.write_text(text)
    try:
        load_scenario(scratch)
    except HarnessError as exc:
        assert unlocated(exc) == []
