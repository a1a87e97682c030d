"""latency, partition and region_outage over the fakes: what each touches, and revert undoes it.

"Undoes exactly" is checked on state: every link (enabled, toxics) and every instance
(running, paused) is as before the inject, also after an inject that failed half-way.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.events import InstanceKilled, InstancePaused, InstanceStarted, LinkChanged
from harness.faults import FAULTS, Fault
from tests.unit.fakes import FakeFailure, FakeRun, fake_run

SCENARIO = """\
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
  phases: {baseline: 10s, fault: 30s, recovery: 10s}
faults:
  - {kind: latency, name: slow, target: {region: a, service: inference}, latency: 250ms,
     jitter: 20ms, at: 11s, duration: 2s}
  - {kind: partition, name: split, between: [a, b], at: 14s, duration: 2s}
  - {kind: region_outage, name: kill-a, mode: kill, target: {region: a}, at: 17s, duration: 2s}
  - {kind: region_outage, name: isolate-a, mode: isolate, target: {region: a}, at: 20s,
     duration: 2s}
  - {kind: region_outage, name: freeze-a, mode: freeze, target: {region: a}, at: 23s,
     duration: 2s}
"""

REGION_A = {"object-store-a", "ingest-a", "replicator-a", "inference-a-0", "inference-a-1"}


@pytest.fixture
def run(tmp_path: Path) -> FakeRun:
    return fake_run(tmp_path, SCENARIO)


def fault(run: FakeRun, name: str) -> Fault:
    sf = next(f for f in run.plan.faults if f.name == name)
    return FAULTS.get(sf.spec.kind)(sf.spec, sf.name)


def touched(run: FakeRun, mark: int, *whats: str) -> list[str]:
    return [on for what, on in run.log.since(mark) if what in whats]


def changes(run: FakeRun) -> list[tuple[str, str]]:
    return [(e.link, e.change) for e in run.emitted(LinkChanged)]  # type: ignore[attr-defined]


# --- latency ---------------------------------------------------------------------------------

LATENCY_LINKS = ["gateway-to-inference-a-0", "gateway-to-inference-a-1"]


def test_latency_adds_one_toxic_per_selected_link_and_nothing_else(run: FakeRun) -> None:
    before = run.links()
    fault(run, "slow").inject(run.context("slow"))
    toxics = {n: p.toxics for n, p in run.proxies.proxies.items() if p.toxics}
    attrs = {"latency": 250, "jitter": 20}
    assert toxics == {
        n: {
            "slow": {
                "name": "slow",
                "type": "latency",
                "stream": "downstream",
                "toxicity": 1.0,
                "attributes": attrs,
            }
        }
        for n in LATENCY_LINKS
    }
    assert changes(run) == [(n, f"latency {attrs}") for n in LATENCY_LINKS]
    assert {n: s for n, s in run.links().items() if n not in LATENCY_LINKS} == {
        n: s for n, s in before.items() if n not in LATENCY_LINKS
    }


def test_latency_revert_removes_exactly_its_toxics(run: FakeRun) -> None:
    before = run.links()
    slow = fault(run, "slow")
    slow.inject(run.context("slow"))
    mark = run.log.mark()
    slow.revert(run.context("slow"))
    assert run.links() == before
    assert sorted(touched(run, mark, "destroy_toxic")) == LATENCY_LINKS
    assert changes(run)[2:] == [(n, "latency removed") for n in reversed(LATENCY_LINKS)]


def test_latency_half_injected_is_reverted_on_the_links_it_reached(run: FakeRun) -> None:
    before = run.links()
    run.log.fail("add_toxic", LATENCY_LINKS[1])
    slow = fault(run, "slow")
    with pytest.raises(FakeFailure):
        slow.inject(run.context("slow"))
    mark = run.log.mark()
    slow.revert(run.context("slow"))
    assert run.links() == before
    assert touched(run, mark, "destroy_toxic") == [LATENCY_LINKS[0]]


def test_latency_revert_goes_on_past_a_link_that_fails_then_raises(run: FakeRun) -> None:
    slow = fault(run, "slow")
    slow.inject(run.context("slow"))
    run.log.fail("destroy_toxic", LATENCY_LINKS[1])
    with pytest.raises(FakeFailure):
        slow.revert(run.context("slow"))
    assert run.links()[LATENCY_LINKS[0]].toxics == ()


# --- partition -------------------------------------------------------------------------------

CROSS_LINKS = ["replicator-a-to-object-store-b", "replicator-b-to-object-store-a"]


def test_partition_cuts_both_directions_between_the_regions_and_nothing_else(
    run: FakeRun,
) -> None:
    before = run.links()
    split = fault(run, "split")
    mark = run.log.mark()
    split.inject(run.context("split"))
    assert touched(run, mark, "disable", "enable", "add_toxic") == CROSS_LINKS
    assert {n for n, s in run.links().items() if not s.enabled} == set(CROSS_LINKS)
    split.revert(run.context("split"))
    assert run.links() == before
    assert changes(run) == [
        *[(n, "down") for n in CROSS_LINKS],
        *[(n, "up") for n in reversed(CROSS_LINKS)],
    ]


def test_partition_half_injected_leaves_every_link_up_after_revert(run: FakeRun) -> None:
    before = run.links()
    run.log.fail("disable", CROSS_LINKS[1])
    split = fault(run, "split")
    with pytest.raises(FakeFailure):
        split.inject(run.context("split"))
    assert not run.links()[CROSS_LINKS[0]].enabled
    run.log.heal()
    split.revert(run.context("split"))
    assert run.links() == before


# --- region_outage ---------------------------------------------------------------------------


def test_outage_kill_kills_every_instance_of_the_region_and_restarts_them(run: FakeRun) -> None:
    before = run.instances()
    outage = fault(run, "kill-a")
    outage.inject(run.context("kill-a"))
    assert {n for n, s in run.instances().items() if not s.running} == REGION_A
    assert {e.instance for e in run.emitted(InstanceKilled)} == REGION_A  # type: ignore[attr-defined]
    assert run.log.of("disable", "add_toxic", "pause") == []  # no link or freeze involved
    outage.revert(run.context("kill-a"))
    assert run.instances() == before
    run.stack.wait_restarts(5.0)  # the revert does not wait for readiness (a slow server)
    assert {e.instance for e in run.emitted(InstanceStarted)} == REGION_A  # type: ignore[attr-defined]


def test_outage_kill_half_injected_restarts_only_what_died(run: FakeRun) -> None:
    before = run.instances()
    second = sorted(REGION_A, key=lambda n: list(run.stack.handles).index(n))[1]
    run.log.fail("kill", second)
    outage = fault(run, "kill-a")
    with pytest.raises(FakeFailure):
        outage.inject(run.context("kill-a"))
    killed = {e.instance for e in run.emitted(InstanceKilled)}  # type: ignore[attr-defined]
    assert len(killed) == 1 and second not in killed
    mark = run.log.mark()
    outage.revert(run.context("kill-a"))
    assert run.instances() == before
    assert touched(run, mark, "restart") == sorted(killed)
    run.stack.wait_restarts(5.0)
    assert {e.instance for e in run.emitted(InstanceStarted)} == killed  # type: ignore[attr-defined]


def test_outage_isolate_cuts_every_link_into_or_out_of_the_region(run: FakeRun) -> None:
    before = run.links()
    outage = fault(run, "isolate-a")
    outage.inject(run.context("isolate-a"))
    down = {n for n, s in run.links().items() if not s.enabled}
    assert down == {
        "gateway-to-inference-a-0",
        "gateway-to-inference-a-1",
        *CROSS_LINKS,
    }
    assert run.log.of("kill", "pause") == []  # the instances keep running, cut off
    outage.revert(run.context("isolate-a"))
    assert run.links() == before


def test_outage_isolate_half_injected_leaves_every_link_up_after_revert(run: FakeRun) -> None:
    before = run.links()
    cut = [link.name for link in run.plan.topology.links_across("a")]
    run.log.fail("disable", cut[1])
    outage = fault(run, "isolate-a")
    with pytest.raises(FakeFailure):
        outage.inject(run.context("isolate-a"))
    run.log.heal()
    outage.revert(run.context("isolate-a"))
    assert run.links() == before


def test_outage_freeze_pauses_every_instance_of_the_region_and_resumes_them(
    run: FakeRun,
) -> None:
    before = run.instances()
    outage = fault(run, "freeze-a")
    outage.inject(run.context("freeze-a"))
    assert {n for n, s in run.instances().items() if s.paused} == REGION_A
    assert {e.instance for e in run.emitted(InstancePaused)} == REGION_A  # type: ignore[attr-defined]
    outage.revert(run.context("freeze-a"))
    assert run.instances() == before
    assert run.log.of("kill", "restart", "disable") == []


def test_outage_freeze_half_injected_resumes_only_what_was_paused(run: FakeRun) -> None:
    before = run.instances()
    second = sorted(REGION_A, key=lambda n: list(run.stack.handles).index(n))[1]
    run.log.fail("pause", second)
    outage = fault(run, "freeze-a")
    with pytest.raises(FakeFailure):
        outage.inject(run.context("freeze-a"))
    mark = run.log.mark()
    outage.revert(run.context("freeze-a"))
    assert run.instances() == before
    assert second not in touched(run, mark, "resume")
