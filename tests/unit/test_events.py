"""Events: one line for people, a stable record, and subscribers that can never stop the run."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from harness import events
from harness.events import EventLog, FailoverSeen, FaultReverted, InstanceHealthChanged


def test_messages_and_records(tmp_path: Path) -> None:
    log = EventLog(tmp_path / "events.jsonl")
    log.emit(FaultReverted(2.5, fault="outage", error="boom"))
    log.emit(FailoverSeen(1.25, from_region="a", to_region="b"))
    records = log.records()
    assert [r["t"] for r in records] == [1.25, 2.5]  # sorted by time
    assert records[0] == {
        "t": 1.25,
        "type": "FailoverSeen",
        "message": "gateway failover a → b",
        "data": {"from_region": "a", "to_region": "b"},
    }
    assert records[1]["message"] == "outage reverted with error: boom"
    lines = (tmp_path / "events.jsonl").read_text().splitlines()
    assert [json.loads(line)["type"] for line in lines] == ["FaultReverted", "FailoverSeen"]


def test_broken_subscriber_is_counted_not_raised() -> None:
    log = EventLog()

    def broken(_event: object) -> None:
        raise RuntimeError("observer bug")

    log.subscribers.append(broken)
    log.emit(InstanceHealthChanged(1.0, instance="i", healthy=False))
    assert log.subscriber_errors == 1 and len(log.events) == 1
    assert log.events[0].message() == "gateway marks i unhealthy"


def _event_classes() -> list[type[events.Event]]:
    """Every event class events.py defines, found without the catalog's help."""
    found, todo = [], list(events.Event.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__ == events.__name__:
            found.append(cls)
    return sorted(found, key=lambda c: c.__name__)


def test_catalog_holds_every_event_class_by_its_name() -> None:
    classes = _event_classes()
    assert {c.__name__: c for c in classes} == {
        k: c for k, c in events.EVENT_TYPES.items() if c.__module__ == events.__name__
    }
    assert all(c.kind == c.__name__ for c in classes)


@pytest.mark.parametrize("cls", _event_classes(), ids=lambda c: c.__name__)
def test_an_event_cannot_be_built_half_empty(cls: type[events.Event]) -> None:
    with pytest.raises(TypeError, match="missing"):
        cls(1.0)  # type: ignore[call-arg]


_SAMPLE = {"str": "x", "str | None": "y", "float": 2.5, "float | None": 3.5, "int": 2, "bool": True}


@pytest.mark.parametrize("cls", _event_classes(), ids=lambda c: c.__name__)
def test_a_record_gives_back_its_event(cls: type[events.Event]) -> None:
    fields = [f for f in dataclasses.fields(cls) if f.name != "t"]
    event = cls(1.5, **{f.name: _SAMPLE.get(str(f.type), "x") for f in fields})
    assert events.from_record(event.to_record()) == event


def test_records_no_class_fits_give_no_event() -> None:
    assert events.from_record({"t": 1.0, "type": "OperatorNote", "data": {}}) is None
    half = {"t": 1.0, "type": "QualityAlert", "data": {"instance": "i"}}
    assert events.from_record(half) is None


def test_badges_are_declared_by_their_kind() -> None:
    alert = events.QualityAlert(1.0, instance="i", check="drift", firing=True)
    assert alert.badge() == events.Badge("firing", "bad")
    assert events.PhaseStarted(0.0, phase="baseline").badge() is None
    on_demand = events.ReplacementStarted(2.0, instance="i", pricing="on_demand")
    assert on_demand.badge() == events.Badge("on-demand", "neutral")


def test_a_half_injected_fault_has_a_badge() -> None:
    failed = events.FaultInjected(1.0, fault="f", fault_kind="k", target="t", error="boom")
    assert failed.badge() == events.Badge("inject failed", "bad")
    assert events.FaultInjected(1.0, fault="f", fault_kind="k", target="t").badge() is None


def test_a_failed_cleanup_has_a_badge() -> None:
    failed = events.CleanupFailed(9.0, what="load", error="OSError: gone")
    assert failed.badge() == events.Badge("cleanup failed", "bad")
