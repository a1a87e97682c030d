"""A registry of implementations keyed by their YAML `kind` (faults, backends, SLO metrics)."""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator
from typing import Any, Generic, Literal, TypeVar

from harness.errors import did_you_mean

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps a kind name to an implementation; a duplicate kind is a programming error."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._items: dict[str, T] = {}

    def register(self, kind: str) -> Callable[[T], T]:
        """Decorator: register the decorated object under `kind`."""

        def deco(obj: T) -> T:
            if kind in self._items:
                raise ValueError(f"duplicate {self.what} kind {kind!r}")
            self._items[kind] = obj
            return obj

        return deco

    def get(self, kind: str) -> T:
        """Return the implementation of `kind`; KeyError with suggestions if unknown."""
        try:
            return self._items[kind]
        except KeyError:
            raise KeyError(self.unknown_message(kind)) from None

    def unknown_message(self, kind: str) -> str:
        """Explain an unknown kind: the known kinds and a 'did you mean'."""
        known = ", ".join(sorted(self._items))
        msg = f"unknown {self.what} kind {kind!r} (known: {known})"
        close = did_you_mean(kind, self._items)
        return f"{msg}; {close}" if close else msg

    def kinds(self) -> list[str]:
        """Sorted names of every registered kind."""
        return sorted(self._items)

    def __contains__(self, kind: object) -> bool:
        return isinstance(kind, str) and kind in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._items))

    def items(self) -> list[tuple[str, T]]:
        """(kind, implementation) pairs sorted by kind."""
        return sorted(self._items.items())


def spec_kind(spec: Any) -> str:
    """The kind a spec class (a fault's, a protocol's) names in its `kind: Literal["..."]` field."""
    annotation = spec.model_fields["kind"].annotation
    args = typing.get_args(annotation)
    if (
        typing.get_origin(annotation) is not Literal
        or len(args) != 1
        or not isinstance(args[0], str)
    ):
        raise TypeError(f"{spec.__name__}.kind must be Literal['<kind>'], not {annotation}")
    return args[0]
