"""The data-integrity audit after a run: every acknowledged record in every surviving store, once.

Definitions (the README quotes them):
- acknowledged: a record id the pipeline accepted, with the time of its acknowledgement (t_ack,
  seconds since run start) and the region that acknowledged it. An id acknowledged twice counts
  once, at its first acknowledgement.
- surviving region: one whose store lived through the run. A store killed during the run is
  still reported per region but does not count toward records_lost or the RPO.
- lost: an acknowledged id missing from at least one surviving region's store. When no region
  survived, every acknowledged id is lost (nothing holds it any more).
- duplicated: an id present more than once in some audited region's store (any store given).
- unexpected: an id in a store that was never acknowledged (e.g. stored but its ack was lost);
  counted, not an error.
- age of a lost record: the time its acknowledging region was lost (the first loss at or after
  t_ack, or the end of the run if that region was never lost) minus t_ack.
- RPO_s: the largest age among lost records, i.e. the age of the oldest lost record; 0.0 when
  nothing was lost; None when no record was acknowledged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class AckedRecord:
    """A record the pipeline acknowledged: its id, when (s since run start) and which region."""

    id: str
    t_ack: float
    region: str


@dataclass(frozen=True)
class StoreContents:
    """What a region's store held after the run: every id found (repeats kept) and bad lines."""

    region: str
    ids: Sequence[str]
    unreadable_lines: int
    surviving: bool


@dataclass(frozen=True)
class LostRecord:
    """An acknowledged record missing from a surviving store, with its age at loss."""

    id: str
    region: str
    t_ack: float
    age_s: float


@dataclass(frozen=True)
class RegionAudit:
    """One region's store against the acknowledged records.

    `present` counts acknowledged ids found; `missing` lists the acknowledged ids not found
    (oldest acknowledgement first); `duplicated` the ids found more than once; `unexpected`
    counts distinct ids found that were never acknowledged.
    """

    region: str
    surviving: bool
    present: int
    missing: tuple[str, ...]
    duplicated: tuple[str, ...]
    unexpected: int
    unreadable_lines: int


@dataclass(frozen=True)
class IntegrityReport:
    """The audit: totals, the lost records (oldest first, so lost[0].age_s == rpo_s), regions."""

    records_acked: int
    records_lost: int
    records_duplicated: int
    records_unexpected: int
    rpo_s: float | None
    lost: tuple[LostRecord, ...]
    duplicated_ids: tuple[str, ...]
    per_region: tuple[RegionAudit, ...]

    @property
    def lost_ids(self) -> frozenset[str]:
        """The ids of the lost records."""
        return frozenset(r.id for r in self.lost)


def audit(
    acked: Iterable[AckedRecord],
    stores: Sequence[StoreContents],
    loss_times: Mapping[str, Sequence[float]],
    end_s: float,
) -> IntegrityReport:
    """Check every acknowledged record against every region's store (definitions above)."""
    first = _first_acks(acked)
    regions = tuple(_audit_region(store, first) for store in stores)
    surviving = [r for r in regions if r.surviving]
    # With no store left at all, nothing holds any acknowledged record.
    lost_ids = {i for r in surviving for i in r.missing} if surviving else set(first)
    lost = sorted(
        (_lost_record(first[i], loss_times, end_s) for i in lost_ids),
        key=lambda r: (-r.age_s, r.t_ack, r.id),
    )
    duplicated = sorted({i for r in regions for i in r.duplicated})
    unexpected = {i for store in stores for i in store.ids if i not in first}
    return IntegrityReport(
        records_acked=len(first),
        records_lost=len(lost),
        records_duplicated=len(duplicated),
        records_unexpected=len(unexpected),
        rpo_s=(lost[0].age_s if lost else 0.0) if first else None,
        lost=tuple(lost),
        duplicated_ids=tuple(duplicated),
        per_region=regions,
    )


def _first_acks(acked: Iterable[AckedRecord]) -> dict[str, AckedRecord]:
    """Each id's first acknowledgement, ordered oldest first."""
    first: dict[str, AckedRecord] = {}
    for record in sorted(acked, key=lambda r: (r.t_ack, r.id)):
        first.setdefault(record.id, record)
    return first


def _audit_region(store: StoreContents, acked: Mapping[str, AckedRecord]) -> RegionAudit:
    counts = Counter(store.ids)
    missing = tuple(i for i in acked if i not in counts)
    return RegionAudit(
        region=store.region,
        surviving=store.surviving,
        present=len(acked) - len(missing),
        missing=missing,
        duplicated=tuple(sorted(i for i, n in counts.items() if n > 1)),
        unexpected=sum(1 for i in counts if i not in acked),
        unreadable_lines=store.unreadable_lines,
    )


def _lost_record(
    record: AckedRecord, loss_times: Mapping[str, Sequence[float]], end_s: float
) -> LostRecord:
    # The record was at risk from its ack until its region went down (or the run ended);
    # an ack stamped after the end (clock skew) has age 0, never a negative one.
    losses = (t for t in loss_times.get(record.region, ()) if t >= record.t_ack)
    lost_at = min(losses, default=end_s)
    return LostRecord(record.id, record.region, record.t_ack, max(0.0, lost_at - record.t_ack))
