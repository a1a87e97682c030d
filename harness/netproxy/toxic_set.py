"""The toxics of one proxy, per direction in insertion order, and the live links they reach."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from harness.netproxy import errors
from harness.netproxy.errors import ApiError
from harness.netproxy.toxics import Toxic, ToxicAttributes


class Direction(enum.Enum):
    """Which way a link carries bytes."""

    UPSTREAM = "upstream"  # client -> upstream server
    DOWNSTREAM = "downstream"  # upstream server -> client


def parse_stream(raw: str) -> Direction:
    """Map an API `stream` (any case) to a direction; 400 for anything else, even ""."""
    try:
        return Direction(raw.lower())
    except ValueError:
        raise ApiError(errors.INVALID_STREAM, 400) from None


@dataclass(frozen=True)
class ToxicSpec:
    """A toxic as configured through the API, plus its runtime toxic built once from it."""

    name: str
    type: str
    stream: str  # echoed back exactly as the client sent it
    direction: Direction
    toxicity: float
    attributes: ToxicAttributes
    toxic: Toxic


class LiveLink(Protocol):
    """A running link that follows toxic changes (see `link.Link`)."""

    direction: Direction

    def add(self, spec: ToxicSpec) -> None: ...

    def update(self, spec: ToxicSpec) -> None: ...

    def remove(self, name: str) -> None: ...


class ToxicSet:
    """Names are unique across both directions; every change reaches live links at once."""

    def __init__(self) -> None:
        self._chains: dict[Direction, list[ToxicSpec]] = {d: [] for d in Direction}
        self._links: set[LiveLink] = set()

    def all(self) -> list[ToxicSpec]:
        """Return upstream toxics then downstream ones, each in insertion order."""
        return self.chain(Direction.UPSTREAM) + self.chain(Direction.DOWNSTREAM)

    def chain(self, direction: Direction) -> list[ToxicSpec]:
        """Return a copy of one direction's toxics in order."""
        return list(self._chains[direction])

    def has(self, name: str) -> bool:
        """Whether a toxic called `name` exists in either direction."""
        return any(spec.name == name for spec in self.all())

    def get(self, name: str) -> ToxicSpec:
        """Return the toxic called `name`; 404 if there is none."""
        for spec in self.all():
            if spec.name == name:
                return spec
        raise ApiError(errors.NOT_FOUND_TOXIC, 404)

    def add(self, spec: ToxicSpec) -> None:
        """Append `spec` to its direction and to every live link; 409 if the name is taken."""
        if self.has(spec.name):
            raise ApiError(errors.EXISTS_TOXIC, 409)
        self._chains[spec.direction].append(spec)
        for link in self._links_of(spec.direction):
            link.add(spec)

    def replace(self, spec: ToxicSpec) -> None:
        """Swap in an updated `spec` (same name and direction) everywhere."""
        chain = self._chains[spec.direction]
        chain[[s.name for s in chain].index(spec.name)] = spec
        for link in self._links_of(spec.direction):
            link.update(spec)

    def remove(self, name: str) -> None:
        """Remove the toxic called `name` from the set and from every live link; 404 if none."""
        spec = self.get(name)
        self._chains[spec.direction].remove(spec)
        for link in self._links_of(spec.direction):
            link.remove(name)

    def clear(self) -> None:
        """Remove every toxic (live links flush what the toxics buffered)."""
        for spec in self.all():
            self.remove(spec.name)

    @property
    def live_links(self) -> int:
        """How many running links follow this set (two per open connection)."""
        return len(self._links)

    def attach(self, link: LiveLink) -> None:
        """Start telling `link` about changes."""
        self._links.add(link)

    def detach(self, link: LiveLink) -> None:
        """Stop telling `link` about changes."""
        self._links.discard(link)

    def _links_of(self, direction: Direction) -> list[LiveLink]:
        return [link for link in self._links if link.direction is direction]
