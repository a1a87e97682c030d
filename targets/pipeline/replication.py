"""Async replication bookkeeping: when each object was first seen and where it still has to go.

Pure state, no I/O: the replicator feeds it listings and copy outcomes (docs/pipeline.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from targets.pipeline.keys import LATEST_KEY, REGISTRY

__all__ = ["LATEST", "ObjectId", "Tracked", "Tracker", "copy_order"]

ObjectId = tuple[str, str]  # (bucket, key)
LATEST: ObjectId = (REGISTRY, LATEST_KEY)


def copy_order(oid: ObjectId) -> tuple[int, str]:
    """Records first, then model artifacts, the registry pointer last (after what it points to)."""
    rank = 2 if oid == LATEST else 1 if oid[0] == REGISTRY else 0
    return rank, oid[1]


@dataclass
class Tracked:
    """One version (ETag) of an object: when it was first seen, which destinations lack it."""

    etag: str
    first_seen: float  # monotonic seconds
    pending: set[str] = field(default_factory=set)


class Tracker:
    """Objects of the source store and the destinations each still has to be copied to.

    latest.json is overwritten in place, so an object is tracked per ETag: a new version is
    pending again everywhere, and first seen when it appeared."""

    def __init__(self, destinations: list[str]) -> None:
        self.destinations = list(destinations)
        self.objects: dict[ObjectId, Tracked] = {}

    def observe(self, listing: dict[ObjectId, str], now: float) -> None:
        """Take a full listing of the source: new versions become pending, deleted ones go."""
        for oid, etag in listing.items():
            known = self.objects.get(oid)
            if known is None or known.etag != etag:
                self.objects[oid] = Tracked(etag, now, set(self.destinations))
        for gone in set(self.objects) - set(listing):
            del self.objects[gone]

    def due(self, dst: str, now: float, lag_s: float) -> list[tuple[ObjectId, str]]:
        """The (object, ETag) pairs `dst` lacks that were first seen at least `lag_s` ago, in order."""
        ready = [
            (oid, obj.etag)
            for oid, obj in self.objects.items()
            if dst in obj.pending and now - obj.first_seen >= lag_s
        ]
        return sorted(ready, key=lambda item: copy_order(item[0]))

    def done(self, dst: str, oid: ObjectId, etag: str) -> None:
        """Record that `dst` holds this version of the object."""
        obj = self.objects.get(oid)
        if obj is not None and obj.etag == etag:
            obj.pending.discard(dst)

    def pending_by_dst(self) -> dict[str, int]:
        """How many objects each destination still lacks."""
        counts = dict.fromkeys(self.destinations, 0)
        for obj in self.objects.values():
            for dst in obj.pending:
                counts[dst] += 1
        return counts

    def pending_objects(self) -> int:
        """How many objects are not yet in every region."""
        return sum(1 for obj in self.objects.values() if obj.pending)

    def lag(self, now: float) -> float:
        """Age of the oldest object not yet in every region (0 when none is pending)."""
        ages = [now - obj.first_seen for obj in self.objects.values() if obj.pending]
        return max(ages, default=0.0)
