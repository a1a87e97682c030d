"""Events: one line for people, a stable record, and subscribers that can never stop the run."""

from __future__ import annotations

import json
from pathlib import Path

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
