"""Data-integrity audit on constructed stores with known lost, duplicated and unexpected ids."""

from __future__ import annotations

import pytest

from harness.observe.integrity import AckedRecord, StoreContents, audit


def acks(region: str, times: list[float], prefix: str = "rec") -> list[AckedRecord]:
    """One acknowledged record per time, ids `<prefix>-<region>-<i>`."""
    return [AckedRecord(f"{prefix}-{region}-{i}", t, region) for i, t in enumerate(times)]


def ids(records: list[AckedRecord]) -> list[str]:
    return [r.id for r in records]


def store(region: str, found: list[str], surviving: bool = True, bad: int = 0) -> StoreContents:
    return StoreContents(region, found, unreadable_lines=bad, surviving=surviving)


def test_nothing_lost_when_every_store_holds_every_ack() -> None:
    east, west = acks("east", [1.0, 2.0, 3.0]), acks("west", [1.5, 2.5])
    everything = ids(east + west)
    report = audit(east + west, [store("east", everything), store("west", everything)], {}, 60.0)
    assert (report.records_acked, report.records_lost, report.records_duplicated) == (5, 0, 0)
    assert report.records_unexpected == 0
    assert report.rpo_s == 0.0
    assert report.lost == ()
    assert [(r.region, r.present, r.missing) for r in report.per_region] == [
        ("east", 5, ()),
        ("west", 5, ()),
    ]


def test_finds_every_lost_id_per_region_and_overall() -> None:
    east = acks("east", [1.0, 2.0, 3.0, 4.0])
    found_east = ids(east)[:2] + ids(east)[3:]  # the third never landed in east
    found_west = ids(east)[:1]  # replication only copied the first
    report = audit(east, [store("east", found_east), store("west", found_west)], {}, 10.0)
    assert report.lost_ids == {"rec-east-1", "rec-east-2", "rec-east-3"}
    assert report.records_lost == 3
    east_audit, west_audit = report.per_region
    assert east_audit.missing == ("rec-east-2",)
    assert east_audit.present == 3
    assert west_audit.missing == ("rec-east-1", "rec-east-2", "rec-east-3")
    # never lost a region: each record was at risk until the end of the run
    assert [(r.id, r.age_s) for r in report.lost] == [
        ("rec-east-1", 8.0),
        ("rec-east-2", 7.0),
        ("rec-east-3", 6.0),
    ]
    assert report.rpo_s == 8.0


def test_rpo_of_a_region_lost_at_40_is_the_oldest_unreplicated_ack() -> None:
    # east acknowledged every second; west holds copies up to t=34; east died at t=40
    east = acks("east", [float(t) for t in range(10, 41)])
    replicated = [r.id for r in east if r.t_ack < 35]
    stores = [store("east", [], surviving=False), store("west", replicated)]
    report = audit(east, stores, {"east": [40.0]}, end_s=90.0)
    assert report.records_lost == 6  # acked at 35, 36, 37, 38, 39, 40
    assert report.rpo_s == pytest.approx(5.0)
    assert report.lost[0].t_ack == 35.0
    assert [r.age_s for r in report.lost] == [5.0, 4.0, 3.0, 2.0, 1.0, 0.0]


def test_age_counts_to_the_first_loss_after_the_ack() -> None:
    records = [AckedRecord("a", 5.0, "east"), AckedRecord("b", 25.0, "east")]
    report = audit(records, [store("west", [])], {"east": [30.0, 10.0]}, 90.0)
    assert {r.id: r.age_s for r in report.lost} == {"a": 5.0, "b": 5.0}


def test_a_region_that_did_not_survive_is_reported_but_not_counted() -> None:
    east = acks("east", [1.0, 2.0])
    stores = [store("east", [], surviving=False), store("west", ids(east))]
    report = audit(east, stores, {"east": [5.0]}, 10.0)
    assert report.records_lost == 0
    assert report.rpo_s == 0.0
    dead = report.per_region[0]
    assert (dead.surviving, dead.present, dead.missing) == (False, 0, ("rec-east-0", "rec-east-1"))


def test_when_no_region_survived_everything_acknowledged_is_lost() -> None:
    east = acks("east", [1.0, 2.0])
    report = audit(east, [store("east", ids(east), surviving=False)], {"east": [3.0]}, 10.0)
    assert report.lost_ids == {"rec-east-0", "rec-east-1"}
    assert report.rpo_s == 2.0


def test_duplicates_within_one_region() -> None:
    east = acks("east", [1.0, 2.0, 3.0])
    a, b, c = ids(east)
    stores = [store("east", [a, b, b, c, c, c]), store("west", [a, b, c, a])]
    report = audit(east, stores, {}, 10.0)
    assert report.records_lost == 0
    assert [r.duplicated for r in report.per_region] == [(b, c), (a,)]
    assert report.duplicated_ids == (a, b, c)
    assert report.records_duplicated == 3


def test_unexpected_ids_are_counted_not_lost() -> None:
    east = acks("east", [1.0])
    stores = [
        store("east", [*ids(east), "orphan-1", "orphan-2"]),
        store("west", [*ids(east), "orphan-2", "orphan-3"], bad=4),
    ]
    report = audit(east, stores, {}, 10.0)
    assert report.records_unexpected == 3
    assert [r.unexpected for r in report.per_region] == [2, 2]
    assert report.records_lost == 0
    assert report.per_region[1].unreadable_lines == 4


def test_an_id_acknowledged_twice_counts_once_at_its_first_ack() -> None:
    records = [AckedRecord("a", 7.0, "west"), AckedRecord("a", 3.0, "east")]
    report = audit(records, [store("east", [])], {}, 10.0)
    assert report.records_acked == 1
    assert [(r.id, r.region, r.age_s) for r in report.lost] == [("a", "east", 7.0)]


def test_empty_inputs() -> None:
    report = audit([], [], {}, 0.0)
    assert (report.records_acked, report.records_lost, report.rpo_s) == (0, 0, None)
    assert report.per_region == ()

    only_stores = audit([], [store("east", ["x", "x"])], {}, 5.0)
    assert only_stores.rpo_s is None
    assert only_stores.records_unexpected == 1
    assert only_stores.duplicated_ids == ("x",)

    no_stores = audit(acks("east", [1.0]), [], {}, 5.0)
    assert no_stores.records_lost == 1  # nothing survived to hold it
