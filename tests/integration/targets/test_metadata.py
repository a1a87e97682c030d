"""The spot metadata server as a real subprocess: each cloud's API, byte for byte, at its moment."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.integration.targets.conftest import TargetProcess, Targets, free_port

INSTANCE = "inference-spot-0"
ACTION = "/latest/meta-data/spot/instance-action"
REBALANCE = "/latest/meta-data/events/recommendations/rebalance"
PREEMPTED = "/computeMetadata/v1/instance/preempted"
EVENTS = "/metadata/scheduledevents"
GOOGLE = {"Metadata-Flavor": "Google"}
AZURE = {"Metadata": "true"}
API = {"api-version": "2020-07-01"}


def start_metadata(procs: Targets, state: Path, instance: str = INSTANCE) -> TargetProcess:
    """Start `python -m targets.metadata.server` on a free port and wait for its ready line."""
    proc = procs.start(
        f"metadata-{instance}",
        "targets.metadata.server",
        *("--host", "127.0.0.1", "--port", str(free_port())),
        *("--state", str(state), "--instance", instance),
    )
    proc.ready()
    return proc


def write_state(path: Path, doc: dict[str, Any] | str) -> None:
    """Replace the state file atomically, as the harness does (write + rename)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    os.replace(tmp, path)


def schedule(
    provider: str,
    notice_in: float = 1.0,
    terminate_in: float = 2.5,
    rebalance_in: float | None = None,
) -> dict[str, Any]:
    """A state file body whose moments are counted from now."""
    t0 = time.time()
    return {
        "provider": provider,
        "rebalance_at": None if rebalance_in is None else t0 + rebalance_in,
        "notice_at": t0 + notice_in,
        "terminate_at": t0 + terminate_in,
        "event_id": "C7061BAC-AFDC-4513-B24F-AA5F13A16123",
    }


def sleep_until(t: float) -> None:
    """Sleep until epoch time t (no-op when it passed)."""
    time.sleep(max(0.0, t - time.time()))


def ec2_time(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def rfc1123(t: float) -> str:
    # Written out independently of the server's email.utils (the C locale's day/month names).
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    g = time.gmtime(t)
    clock = time.strftime("%d %%s %Y %H:%M:%S", g) % months[g.tm_mon - 1]
    return f"{days[g.tm_wday]}, {clock} GMT"


@pytest.fixture(scope="module")
def meta_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The state file of the module's metadata server (absent at first)."""
    return tmp_path_factory.mktemp("metadata") / f"{INSTANCE}.json"


@pytest.fixture(scope="module")
def meta(module_procs: Targets, meta_state: Path) -> TargetProcess:
    """One metadata server for the module; each test writes its own schedule."""
    return start_metadata(module_procs, meta_state)


@pytest.fixture(autouse=True)
def fresh(meta_state: Path) -> Iterator[None]:
    """Every test starts and ends as a fresh instance (no state file)."""
    meta_state.unlink(missing_ok=True)
    yield
    meta_state.unlink(missing_ok=True)


def get(meta: TargetProcess, path: str, **kw: Any) -> requests.Response:
    return requests.get(meta.url + path, timeout=5, **kw)


def assert_aws_quiet(meta: TargetProcess) -> None:
    for path in (ACTION, REBALANCE):
        r = get(meta, path)
        assert r.status_code == 404, (path, r.text)
        assert "<title>404 - Not Found</title>" in r.text


def assert_gcp_quiet(meta: TargetProcess) -> None:
    assert get(meta, PREEMPTED, headers=GOOGLE).text == "FALSE"


def assert_azure_quiet(meta: TargetProcess) -> None:
    r = get(meta, EVENTS, headers=AZURE, params=API)
    assert r.status_code == 200
    assert r.json() == {"DocumentIncarnation": 0, "Events": []}


def assert_quiet(meta: TargetProcess) -> None:
    assert_aws_quiet(meta)
    assert_gcp_quiet(meta)
    assert_azure_quiet(meta)


def test_healthz_names_and_ready_line(meta: TargetProcess) -> None:
    assert meta.wait_event("ready")["instance"] == INSTANCE
    r = get(meta, "/healthz")
    assert (r.status_code, r.json()) == (200, {"status": "ok"})
    assert get(meta, "/latest/meta-data/instance-id").text == INSTANCE
    assert get(meta, "/computeMetadata/v1/instance/name", headers=GOOGLE).text == INSTANCE


@pytest.mark.parametrize(
    "content",
    ["", "{}", "{broken", '{"provider": "ibm", "notice_at": 1, "terminate_at": 2}', "[]"],
)
def test_empty_or_invalid_state_is_no_notice(
    meta: TargetProcess, meta_state: Path, content: str
) -> None:
    assert_quiet(meta)  # absent
    write_state(meta_state, content)
    assert_quiet(meta)


def test_aws_rebalance_then_notice_then_gone_with_the_file(
    meta: TargetProcess, meta_state: Path
) -> None:
    doc = schedule("aws", notice_in=1.0, terminate_in=2.5, rebalance_in=0.5)
    write_state(meta_state, doc)
    assert_aws_quiet(meta)
    sleep_until(doc["rebalance_at"] + 0.1)
    r = get(meta, REBALANCE)
    assert r.status_code == 200
    assert r.text == json.dumps({"noticeTime": ec2_time(doc["rebalance_at"])})
    assert get(meta, ACTION).status_code == 404  # a recommendation is not a notice
    sleep_until(doc["notice_at"] + 0.1)
    action = f'{{"action": "terminate", "time": "{ec2_time(doc["terminate_at"])}"}}'
    r = get(meta, ACTION)
    assert (r.status_code, r.text) == (200, action)
    assert r.headers["Content-Type"].startswith("application/json")
    assert_gcp_quiet(meta)  # only the schedule's provider shows a notice
    assert_azure_quiet(meta)
    sleep_until(doc["terminate_at"] + 0.1)
    assert (get(meta, ACTION).status_code, get(meta, ACTION).text) == (200, action)
    meta_state.unlink()  # a replacement took the instance's place
    assert_quiet(meta)


def test_aws_imdsv2_token_rules(meta: TargetProcess, meta_state: Path) -> None:
    put = meta.url + "/latest/api/token"
    ttl = "X-aws-ec2-metadata-token-ttl-seconds"
    assert requests.put(put, timeout=5).status_code == 400
    for bad in ("0", "21601", "-5", "1.5", "abc", ""):
        assert requests.put(put, headers={ttl: bad}, timeout=5).status_code == 400, bad
    r = requests.put(put, headers={ttl: "21600"}, timeout=5)
    assert r.status_code == 200 and r.text and r.headers[ttl] == "21600"
    token = {"X-aws-ec2-metadata-token": r.text}
    write_state(meta_state, schedule("aws", notice_in=0.0))
    assert get(meta, ACTION, headers=token).status_code == 200  # IMDSv2
    assert get(meta, ACTION).status_code == 200  # IMDSv1 is allowed
    assert get(meta, "/latest/meta-data/instance-id", headers=token).text == INSTANCE
    unknown = {"X-aws-ec2-metadata-token": "not-a-token"}
    assert get(meta, ACTION, headers=unknown).status_code == 401
    assert get(meta, REBALANCE, headers=unknown).status_code == 401
    short = requests.put(put, headers={ttl: "1"}, timeout=5).text
    assert get(meta, ACTION, headers={"X-aws-ec2-metadata-token": short}).status_code == 200
    time.sleep(1.1)
    assert get(meta, ACTION, headers={"X-aws-ec2-metadata-token": short}).status_code == 401


def test_gcp_preempted_false_then_true(meta: TargetProcess, meta_state: Path) -> None:
    r = get(meta, PREEMPTED)
    assert r.status_code == 403
    assert r.headers["Metadata-Flavor"] == "Google"
    doc = schedule("gcp", notice_in=1.0, terminate_in=2.5)
    write_state(meta_state, doc)
    r = get(meta, PREEMPTED, headers=GOOGLE)
    assert (r.status_code, r.text) == (200, "FALSE")
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.headers["Metadata-Flavor"] == "Google"
    assert get(meta, PREEMPTED, headers={"Metadata-Flavor": "Amazon"}).status_code == 403
    sleep_until(doc["notice_at"] + 0.1)
    r = get(meta, PREEMPTED, headers=GOOGLE)
    assert (r.status_code, r.text, r.headers["Metadata-Flavor"]) == (200, "TRUE", "Google")
    assert_aws_quiet(meta)
    assert_azure_quiet(meta)
    sleep_until(doc["terminate_at"] + 0.1)
    assert get(meta, PREEMPTED, headers=GOOGLE).text == "TRUE"
    meta_state.unlink()
    assert_gcp_quiet(meta)


def test_gcp_wait_for_change_answers_when_the_notice_passes(
    meta: TargetProcess, meta_state: Path
) -> None:
    doc = schedule("gcp", notice_in=1.0, terminate_in=2.5)
    write_state(meta_state, doc)
    wait = {"wait_for_change": "true", "timeout_sec": "10"}
    r = get(meta, PREEMPTED, headers=GOOGLE, params=wait)
    answered = time.time()
    assert (r.status_code, r.text) == (200, "TRUE")
    assert doc["notice_at"] <= answered < doc["notice_at"] + 0.5
    # Nothing changes: the timeout passes and the current value comes back.
    t0 = time.monotonic()
    r = get(meta, PREEMPTED, headers=GOOGLE, params={"wait_for_change": "true", "timeout_sec": "1"})
    assert r.text == "TRUE" and 0.9 <= time.monotonic() - t0 < 2.0
    bad = get(
        meta, PREEMPTED, headers=GOOGLE, params={"wait_for_change": "true", "timeout_sec": "x"}
    )
    assert bad.status_code == 400


def test_gcp_wait_for_change_sees_the_file_deleted(meta: TargetProcess, meta_state: Path) -> None:
    write_state(meta_state, schedule("gcp", notice_in=0.0))
    threading.Timer(0.5, lambda: meta_state.unlink(missing_ok=True)).start()
    t0 = time.monotonic()
    r = get(meta, PREEMPTED, headers=GOOGLE, params={"wait_for_change": "true"})
    assert r.text == "FALSE" and time.monotonic() - t0 < 1.5


def test_azure_incarnations_scheduled_then_started(meta: TargetProcess, meta_state: Path) -> None:
    r = get(meta, EVENTS, params=API)
    assert r.status_code == 400
    assert r.json() == {"error": "Bad request. Required metadata header not specified"}
    assert get(meta, EVENTS, headers=AZURE).status_code == 400  # no api-version
    assert_azure_quiet(meta)
    doc = schedule("azure", notice_in=1.0, terminate_in=2.5)
    write_state(meta_state, doc)
    assert_azure_quiet(meta)
    event = {
        "EventId": doc["event_id"],
        "EventType": "Preempt",
        "ResourceType": "VirtualMachine",
        "Resources": [INSTANCE],
        "EventStatus": "Scheduled",
        "NotBefore": rfc1123(doc["terminate_at"]),
        "Description": "The Spot Virtual Machine is being deleted (ephemeral disks are lost).",
        "EventSource": "Platform",
        "DurationInSeconds": -1,
    }
    sleep_until(doc["notice_at"] + 0.1)
    r = get(meta, EVENTS, headers=AZURE, params=API)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    assert r.json() == {"DocumentIncarnation": 1, "Events": [event]}
    assert_aws_quiet(meta)
    assert_gcp_quiet(meta)
    approve = {"StartRequests": [{"EventId": doc["event_id"]}]}
    r = requests.post(meta.url + EVENTS, headers=AZURE, params=API, json=approve, timeout=5)
    assert r.status_code == 200
    sleep_until(doc["terminate_at"] + 0.1)
    r = get(meta, EVENTS, headers=AZURE, params=API)  # the approval changed nothing
    assert r.json() == {"DocumentIncarnation": 2, "Events": [{**event, "EventStatus": "Started"}]}
    meta_state.unlink()
    assert_azure_quiet(meta)
