"""The three clouds' spot APIs as pure functions of (schedule, now): what each answers when.

The schedule comes from the state file the harness writes (docs/spot.md). Every renderer takes
the parsed `Schedule` (None: no notice) and the current epoch time, so the moments at which each
part is revealed are testable without a clock."""

from __future__ import annotations

import email.utils
import json
import math
import time
import uuid
from dataclasses import dataclass
from typing import Any

__all__ = [
    "AZURE_DESCRIPTION",
    "PROVIDERS",
    "Schedule",
    "ScheduleError",
    "aws_instance_action",
    "aws_rebalance",
    "aws_time",
    "azure_scheduled_events",
    "gcp_preempted",
    "noticed",
    "parse_schedule",
    "rfc1123",
]

PROVIDERS = ("aws", "gcp", "azure")
AZURE_DESCRIPTION = "The Spot Virtual Machine is being deleted (ephemeral disks are lost)."


class ScheduleError(ValueError):
    """A state file that is not a valid schedule (the server treats it as no notice)."""


@dataclass(frozen=True)
class Schedule:
    """One preemption as the harness wrote it: epoch seconds, revealed at their moment."""

    provider: str
    notice_at: float
    terminate_at: float
    rebalance_at: float | None
    event_id: str


def _time(doc: dict[str, Any], key: str, optional: bool = False) -> float | None:
    value = doc.get(key)
    if value is None and optional:
        return None
    # bool is an int subclass: `true` in the file is a mistake, not epoch 1.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScheduleError(f"{key} must be epoch seconds, got {value!r}")
    return float(value)


def parse_schedule(raw: bytes) -> Schedule | None:
    """Parse the state file's bytes: None for empty or `{}`, ScheduleError when invalid."""
    if not raw.strip():
        return None
    try:
        doc = json.loads(raw)
    except ValueError as exc:
        raise ScheduleError(f"not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise ScheduleError("not a JSON object")
    if not doc:
        return None
    provider = doc.get("provider")
    if provider not in PROVIDERS:
        raise ScheduleError(f"provider must be one of {PROVIDERS}, got {provider!r}")
    notice_at = _time(doc, "notice_at")
    terminate_at = _time(doc, "terminate_at")
    assert notice_at is not None and terminate_at is not None  # not optional: raised above
    event_id = doc.get("event_id")
    if event_id is None:
        # Azure needs an id; a stable one derived from the schedule keeps answers identical.
        event_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{notice_at}:{terminate_at}")).upper()
    if not isinstance(event_id, str):
        raise ScheduleError(f"event_id must be a string, got {event_id!r}")
    return Schedule(
        provider=str(provider),
        notice_at=notice_at,
        terminate_at=terminate_at,
        rebalance_at=_time(doc, "rebalance_at", optional=True),
        event_id=event_id,
    )


def noticed(schedule: Schedule | None, provider: str, now: float) -> bool:
    """True when `provider`'s API shows the notice at `now` (only the schedule's provider does)."""
    return schedule is not None and schedule.provider == provider and now >= schedule.notice_at


def aws_time(ts: float) -> str:
    """Format epoch seconds as EC2 does: `2017-09-18T08:22:00Z` (UTC, whole seconds)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def rfc1123(ts: float) -> str:
    """Format epoch seconds as Azure's NotBefore: `Mon, 19 Sep 2016 18:29:47 GMT`."""
    return email.utils.formatdate(ts, usegmt=True)


def aws_instance_action(schedule: Schedule | None, now: float) -> str | None:
    """The body of spot/instance-action, or None for EC2's 404 (no notice yet)."""
    if schedule is None or not noticed(schedule, "aws", now):
        return None
    return json.dumps({"action": "terminate", "time": aws_time(schedule.terminate_at)})


def aws_rebalance(schedule: Schedule | None, now: float) -> str | None:
    """The body of events/recommendations/rebalance, or None for EC2's 404."""
    if schedule is None or schedule.provider != "aws" or schedule.rebalance_at is None:
        return None
    if now < schedule.rebalance_at:
        return None
    return json.dumps({"noticeTime": aws_time(schedule.rebalance_at)})


def gcp_preempted(schedule: Schedule | None, now: float) -> str:
    """The body of instance/preempted: `TRUE` from the notice on, else `FALSE`."""
    return "TRUE" if noticed(schedule, "gcp", now) else "FALSE"


def azure_scheduled_events(schedule: Schedule | None, now: float, instance: str) -> dict[str, Any]:
    """The Scheduled Events document: incarnation 0 and no events, 1 Scheduled, 2 Started."""
    if schedule is None or not noticed(schedule, "azure", now):
        return {"DocumentIncarnation": 0, "Events": []}
    started = now >= schedule.terminate_at
    event = {
        "EventId": schedule.event_id,
        "EventType": "Preempt",
        "ResourceType": "VirtualMachine",
        "Resources": [instance],
        "EventStatus": "Started" if started else "Scheduled",
        "NotBefore": rfc1123(schedule.terminate_at),
        "Description": AZURE_DESCRIPTION,
        "EventSource": "Platform",
        "DurationInSeconds": -1,
    }
    return {"DocumentIncarnation": 2 if started else 1, "Events": [event]}
