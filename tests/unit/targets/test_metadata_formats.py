"""The clouds' spot API renderings as pure functions of (schedule, now), and the handler's parsing."""

from __future__ import annotations

import json
import math

import pytest

from targets.inference.termination import Seen, azure_seen, parse_aws_time, parse_rfc1123
from targets.metadata.formats import (
    AZURE_DESCRIPTION,
    Schedule,
    ScheduleError,
    aws_instance_action,
    aws_rebalance,
    aws_time,
    azure_scheduled_events,
    gcp_preempted,
    parse_schedule,
    rfc1123,
)

# 2017-09-18T08:22:00Z, the instance-action example in the EC2 docs.
T_AWS = 1505722920.0
# Mon, 19 Sep 2016 18:29:47 GMT, the NotBefore example in the Azure docs.
T_AZURE = 1474309787.0


def sched(provider: str, rebalance_at: float | None = None) -> Schedule:
    """Notice at 100, termination at 220 (epoch seconds: 1970, which is fine for pure functions)."""
    return Schedule(provider, 100.0, 220.0, rebalance_at, "EV-1")


def raw(doc: object) -> bytes:
    return json.dumps(doc).encode()


GOOD = {
    "provider": "azure",
    "rebalance_at": None,
    "notice_at": 1764409010.0,
    "terminate_at": 1764409130,
    "event_id": "C7061BAC-AFDC-4513-B24F-AA5F13A16123",
}


def test_parse_schedule_reads_the_documented_shape() -> None:
    assert parse_schedule(raw(GOOD)) == Schedule(
        "azure", 1764409010.0, 1764409130.0, None, "C7061BAC-AFDC-4513-B24F-AA5F13A16123"
    )
    with_rebalance = parse_schedule(raw({**GOOD, "provider": "aws", "rebalance_at": 1764409000.5}))
    assert with_rebalance is not None and with_rebalance.rebalance_at == 1764409000.5


@pytest.mark.parametrize("content", [b"", b"  \n", b"{}"])
def test_empty_state_is_no_notice(content: bytes) -> None:
    assert parse_schedule(content) is None


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[1, 2]",
        raw({**GOOD, "provider": "ibm"}),
        raw({k: v for k, v in GOOD.items() if k != "notice_at"}),
        raw({**GOOD, "terminate_at": "soon"}),
        raw({**GOOD, "notice_at": True}),
        b'{"provider": "aws", "notice_at": NaN, "terminate_at": 1}',
        raw({**GOOD, "event_id": 7}),
    ],
)
def test_invalid_state_is_an_error(content: bytes) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(content)


def test_missing_event_id_gets_a_stable_one() -> None:
    doc = {k: v for k, v in GOOD.items() if k != "event_id"}
    first, second = parse_schedule(raw(doc)), parse_schedule(raw(doc))
    assert first is not None and second is not None
    assert first.event_id == second.event_id and first.event_id.isupper()


def test_time_formats_match_the_cloud_docs() -> None:
    assert aws_time(T_AWS) == "2017-09-18T08:22:00Z"
    assert aws_time(T_AWS + 0.9) == "2017-09-18T08:22:00Z"  # whole seconds, never rounded up
    assert rfc1123(T_AZURE) == "Mon, 19 Sep 2016 18:29:47 GMT"


@pytest.mark.parametrize("t", [T_AWS, T_AZURE, 1764409130.75, 0.0])
def test_handler_parses_what_the_server_renders(t: float) -> None:
    assert parse_aws_time(aws_time(t)) == math.floor(t)
    assert parse_rfc1123(rfc1123(t)) == math.floor(t)


def test_aws_instance_action_404_until_the_notice_then_for_good() -> None:
    s = sched("aws")
    assert aws_instance_action(None, 150.0) is None
    assert aws_instance_action(s, 99.99) is None
    body = '{"action": "terminate", "time": "1970-01-01T00:03:40Z"}'
    assert aws_instance_action(s, 100.0) == body
    assert aws_instance_action(s, 500.0) == body  # also after the termination time


def test_aws_rebalance_from_its_moment_only_on_aws() -> None:
    assert aws_rebalance(sched("aws"), 150.0) is None  # no recommendation scheduled
    s = sched("aws", rebalance_at=90.0)
    assert aws_rebalance(s, 89.9) is None
    assert aws_rebalance(s, 90.0) == '{"noticeTime": "1970-01-01T00:01:30Z"}'
    assert aws_rebalance(sched("gcp", rebalance_at=90.0), 150.0) is None


def test_gcp_preempted_false_then_true() -> None:
    s = sched("gcp")
    assert gcp_preempted(None, 150.0) == "FALSE"
    assert gcp_preempted(s, 99.0) == "FALSE"
    assert gcp_preempted(s, 100.0) == "TRUE"
    assert gcp_preempted(s, 300.0) == "TRUE"


def test_azure_incarnation_0_then_scheduled_then_started() -> None:
    s = sched("azure")
    assert azure_scheduled_events(s, 99.0, "vm-1") == {"DocumentIncarnation": 0, "Events": []}
    event = {
        "EventId": "EV-1",
        "EventType": "Preempt",
        "ResourceType": "VirtualMachine",
        "Resources": ["vm-1"],
        "EventStatus": "Scheduled",
        "NotBefore": "Thu, 01 Jan 1970 00:03:40 GMT",
        "Description": AZURE_DESCRIPTION,
        "EventSource": "Platform",
        "DurationInSeconds": -1,
    }
    scheduled = azure_scheduled_events(s, 100.0, "vm-1")
    assert scheduled == {"DocumentIncarnation": 1, "Events": [event]}
    assert list(scheduled["Events"][0]) == list(event)  # the documented key order
    started = azure_scheduled_events(s, 220.0, "vm-1")
    assert started == {"DocumentIncarnation": 2, "Events": [{**event, "EventStatus": "Started"}]}


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_only_the_schedule_provider_shows_a_notice(provider: str) -> None:
    s = sched(provider, rebalance_at=90.0)
    now = 300.0  # past everything
    assert (aws_instance_action(s, now) is not None) == (provider == "aws")
    assert (aws_rebalance(s, now) is not None) == (provider == "aws")
    assert (gcp_preempted(s, now) == "TRUE") == (provider == "gcp")
    assert bool(azure_scheduled_events(s, now, "vm")["Events"]) == (provider == "azure")


def test_handler_reads_azure_documents() -> None:
    assert azure_seen({"DocumentIncarnation": 0, "Events": []}) == Seen()
    doc = azure_scheduled_events(sched("azure"), 150.0, "vm-1")
    assert azure_seen(doc) == Seen(notice=True, terminate_at=220.0)
    # A real Started event may carry an empty NotBefore: still a notice, time unknown.
    started = {"Events": [{"EventType": "Preempt", "NotBefore": ""}]}
    assert azure_seen(started) == Seen(notice=True, terminate_at=None)
    assert azure_seen({"Events": [{"EventType": "Freeze"}]}) == Seen()
