"""RunningStack over the fakes: start order, every link through the proxy, the primitives' events."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path

import pytest

from harness.backends.base import InstanceHandle
from harness.events import (
    InstanceKilled,
    InstancePaused,
    InstanceResumed,
    InstanceStarted,
    LinkChanged,
)
from tests.unit.fakes import FakeFailure, FakeRun, InstanceState, LinkState, fake_run

PIPELINE = """\
name: s
stack:
  architecture: active-passive
  regions:
    - {name: a, inference: {replicas: 2}}
    - {name: b, inference: {replicas: 1}}
  pipeline:
    replication: {mode: async, lag: 1s, interval: 500ms}
load:
  rate: 10
  phases: {baseline: 10s, fault: 10s, recovery: 10s}
"""

NO_PIPELINE = """\
name: s
stack:
  architecture: single-region
  regions: [{name: a, inference: {replicas: 2}}]
load:
  rate: 10
  phases: {baseline: 10s, fault: 10s, recovery: 10s}
"""


@pytest.fixture
def run(tmp_path: Path) -> FakeRun:
    return fake_run(tmp_path, PIPELINE)


def position(run: FakeRun, call: tuple[str, str]) -> int:
    return run.started.index(call)


def test_start_brings_up_the_proxy_then_the_stores_then_the_rest_then_the_gateway(
    run: FakeRun,
) -> None:
    starts = [on for what, on in run.started if what == "start"]
    assert starts[0] == "netproxy" and starts[-1] == "gateway"
    assert starts[1:3] == ["object-store-a", "object-store-b"]
    first_service = position(run, ("start", starts[3]))
    # each wave is health-gated, and the stores hold the model before anything reads them
    for store in ("object-store-a", "object-store-b"):
        assert position(run, ("wait_ready", store)) < position(run, ("publish", ""))
    assert position(run, ("publish", "")) < first_service
    assert position(run, ("wait_ready", "netproxy")) < position(run, ("start", "object-store-a"))
    assert set(starts) == {on for what, on in run.started if what == "wait_ready"}
    assert run.published == [[run.stack.handles[s].url for s in starts[1:3]]]


def test_a_link_is_wired_before_its_source_starts_and_after_its_destination_is_up(
    run: FakeRun,
) -> None:
    for link in run.plan.topology.links:
        created = position(run, ("create", link.name))
        assert position(run, ("wait_ready", link.dst.name)) < created
        assert created < position(run, ("start", link.src))
    assert sorted(run.proxies.proxies) == sorted(link.name for link in run.plan.topology.links)


def test_every_service_reaches_what_it_talks_to_through_the_proxy(run: FakeRun) -> None:
    for link in run.plan.topology.links:
        fake = run.proxies.proxies[link.name]
        assert fake.upstream == run.backend.peer_address(run.stack.handles[link.dst.name])
    ingest_args = run.stack.handles["ingest-a"].spec.args
    store_link = run.stack.link("ingest-a-to-object-store-a")
    assert ingest_args[ingest_args.index("--store") + 1] == run.stack.link_url(store_link)
    config = json.loads((run.backend.run_dir / "config" / "gateway.json").read_text())
    urls = {i["id"]: i["url"] for region in config["regions"] for i in region["instances"]}
    assert urls == {
        name: run.stack.link_url(run.stack.link(f"gateway-to-{name}"))
        for name in ("inference-a-0", "inference-a-1", "inference-b-0")
    }


def test_a_stack_without_object_stores_seeds_no_registry(tmp_path: Path) -> None:
    run = fake_run(tmp_path, NO_PIPELINE)
    assert run.published == []
    assert ("publish", "") not in run.started


def test_cut_and_restore_take_a_link_down_and_up_and_say_so(run: FakeRun) -> None:
    link = run.stack.link("replicator-a-to-object-store-b")
    run.stack.cut(link)
    assert run.links()[link.name] == LinkState(enabled=False, toxics=())
    run.stack.restore(link.name)
    assert run.links()[link.name] == LinkState(enabled=True, toxics=())
    assert [(e.link, e.change) for e in run.emitted(LinkChanged)] == [  # type: ignore[attr-defined]
        (link.name, "down"),
        (link.name, "up"),
    ]
    assert run.log.calls == [("disable", link.name), ("enable", link.name)]


def test_kill_pause_and_resume_act_on_the_instance_and_say_so(run: FakeRun) -> None:
    a0, a1 = run.stack.instance("inference-a-0"), run.stack.instance("inference-a-1")
    run.stack.kill(a0, reason="test")
    run.stack.kill(a1, reason="test", sig=signal.SIGTERM)
    b0 = run.stack.instance("inference-b-0")
    run.stack.pause(b0)
    assert run.instances()["inference-b-0"] == InstanceState(running=True, paused=True)
    run.stack.resume(b0)
    assert run.instances()["inference-a-0"] == InstanceState(running=False, paused=False)
    assert run.instances()["inference-b-0"] == InstanceState(running=True, paused=False)
    assert [e.message() for e in run.emitted()] == [
        "inference-a-0 killed (SIGKILL)",
        "inference-a-1 killed (SIGTERM)",
        "inference-b-0 paused",
        "inference-b-0 resumed",
    ]
    assert [type(e) for e in run.emitted()] == [
        InstanceKilled,
        InstanceKilled,
        InstancePaused,
        InstanceResumed,
    ]


def test_restart_all_starts_each_again_and_records_it_once_ready(run: FakeRun) -> None:
    killed = [run.stack.instance(n) for n in ("inference-a-0", "inference-a-1", "ingest-a")]
    for inst in killed:
        run.stack.kill(inst, reason="test")
    mark = run.log.mark()
    run.stack.restart_all(killed)
    calls = run.log.since(mark)
    names = {i.name for i in killed}
    assert [on for what, on in calls if what == "restart"] == [i.name for i in killed]
    assert {on for what, on in calls if what == "wait_ready"} == names
    assert max(i for i, c in enumerate(calls) if c[0] == "restart") < min(
        i for i, c in enumerate(calls) if c[0] == "wait_ready"
    )  # all are started, then waited for together
    assert {e.instance for e in run.emitted(InstanceStarted)} == names  # type: ignore[attr-defined]
    assert all(run.instances()[n].running for n in names)


def test_a_primitive_that_failed_records_no_event(run: FakeRun) -> None:
    run.log.fail("disable")
    run.log.fail("kill")
    with pytest.raises(FakeFailure):
        run.stack.cut(run.stack.link("gateway-to-inference-a-0"))
    with pytest.raises(FakeFailure):
        run.stack.kill(run.stack.instance("inference-a-0"), reason="test")
    assert run.emitted() == []


def test_teardown_removes_everything_the_backend_started(run: FakeRun) -> None:
    run.stack.teardown()
    assert run.log.calls == [("teardown", "")]
    assert not any(s.running for s in run.instances().values())


def test_a_slow_restart_does_not_hold_up_the_schedule(run: FakeRun) -> None:
    # A server that takes 13 s to start again (MLflow on two cores) delayed every later phase
    # start and injection, and stamped the outage's revert 13 s late.
    released = threading.Event()
    waits: list[str] = []

    def slow_ready(handle: InstanceHandle, timeout_s: float) -> None:
        waits.append(handle.spec.name)
        assert released.wait(5.0)

    run.backend.wait_ready = slow_ready  # type: ignore[method-assign]
    inst = run.stack.instance("inference-a-0")
    run.stack.kill(inst, reason="test")
    run.stack.restart_all([inst], wait=False)  # returns while the instance is still starting
    assert run.instances()["inference-a-0"].running
    assert run.emitted(InstanceStarted) == []
    released.set()
    run.stack.wait_restarts(5.0)
    assert [e.instance for e in run.emitted(InstanceStarted)] == ["inference-a-0"]  # type: ignore[attr-defined]
