"""The smallest piece of the report's view: a label and its formatted value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    """A label and its formatted value; `css` flags good/bad values."""

    label: str
    value: str
    css: str = ""


def bad_if(value: int, label: str) -> Fact:
    """A count that is bad when above zero, e.g. records lost."""
    return Fact(label, f"{value:,}", "bad" if value else "")
