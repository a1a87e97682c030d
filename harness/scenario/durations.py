"""Durations as written in scenarios ("250ms", "30s", "2m") and their pydantic types."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_PATTERN = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
DURATION_PATTERN = r"^\d+(\.\d+)?(ms|s|m|h)?$"


def parse_duration(value: Any) -> float:
    """Turn "250ms", "30s", "2m", "1.5h" or a bare number (seconds) into float seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration like '250ms', '30s' or '2m', got a boolean")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        match = _PATTERN.match(value)
        if not match:
            raise ValueError(
                f"invalid duration {value!r}: use a number with ms, s, m or h, e.g. '30s'"
            )
        seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    else:
        raise ValueError(f"expected a duration like '30s', got {type(value).__name__}")
    if seconds < 0:
        raise ValueError(f"duration must not be negative, got {value!r}")
    return seconds


def format_duration(seconds: float) -> str:
    """Render seconds the way a person writes them ("250ms", "30s", "2m")."""
    if seconds < 1:
        return f"{seconds * 1000:g}ms"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g}m"
    return f"{seconds:g}s"


_SCHEMA = WithJsonSchema(
    {
        "anyOf": [
            {"type": "string", "pattern": DURATION_PATTERN},
            {"type": "number", "minimum": 0},
        ],
        "description": "a duration: '250ms', '30s', '2m', '1h' or seconds as a number",
    }
)

Duration = Annotated[float, BeforeValidator(parse_duration), _SCHEMA]
"""A non-negative duration in seconds; scaled by --time-scale when it is a schedule time."""
