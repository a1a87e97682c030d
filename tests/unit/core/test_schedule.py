"""The fault schedule in-process: order of actions, reverts before injections, revert always."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.events import FaultInjected, FaultReverted, PhaseStarted
from harness.schedule import Schedule
from tests.unit.fakes import FakeClock, FakeFailure, FakeRun, fake_run, two_regions

STACK = two_regions()


def run_with(
    tmp_path: Path, faults: str, clock: FakeClock | None = None
) -> tuple[FakeRun, Schedule]:
    run = fake_run(tmp_path, STACK + "faults:\n" + faults, clock)
    schedule = Schedule(run.plan, run.context, run.events, run.clock, sleep=run.clock.sleep)
    return run, schedule


def timeline(run: FakeRun) -> list[tuple[float, str, str]]:
    """(t, what, whose) of every phase and fault event, in the order they were emitted."""
    out = []
    for e in run.emitted(PhaseStarted, FaultInjected, FaultReverted):
        if isinstance(e, PhaseStarted):
            out.append((e.t, "phase", e.phase))
        else:
            what = "injected" if isinstance(e, FaultInjected) else "reverted"
            out.append((e.t, what, e.fault))
    return out


class CtrlCAt(FakeClock):
    """A clock whose sleep is cut short by Ctrl-C once it would pass `at`."""

    def __init__(self, at: float) -> None:
        super().__init__()
        self.at = at

    def sleep(self, seconds: float) -> None:
        if self.t + seconds > self.at:
            raise KeyboardInterrupt
        super().sleep(seconds)


def test_phases_injections_and_reverts_fire_in_time_order(tmp_path: Path) -> None:
    run, schedule = run_with(
        tmp_path,
        "  - {kind: latency, name: slow, target: {region: a}, latency: 100ms, at: 12s, duration: 4s}\n"
        "  - {kind: region_outage, name: out, target: {region: b}, at: 11s, duration: 8s}\n",
    )
    schedule.run(run.plan.duration_s)
    assert timeline(run) == [
        (0.0, "phase", "baseline"),
        (10.0, "phase", "fault"),
        (11.0, "injected", "out"),
        (12.0, "injected", "slow"),
        (16.0, "reverted", "slow"),
        (19.0, "reverted", "out"),
        (20.0, "phase", "recovery"),
    ]
    assert run.clock() == pytest.approx(30.0)  # it waits for the end of the run


def test_a_revert_comes_before_an_injection_at_the_same_time(tmp_path: Path) -> None:
    # Both freeze region a: the second would pause instances that are still paused.
    run, schedule = run_with(
        tmp_path,
        "  - {kind: region_outage, name: first, mode: freeze, target: {region: a},"
        " at: 12s, duration: 4s}\n"
        "  - {kind: region_outage, name: second, mode: freeze, target: {region: a},"
        " at: 16s, duration: 2s}\n",
    )
    schedule.run(run.plan.duration_s)
    faults = [x for x in timeline(run) if x[1] != "phase"]
    assert faults == [
        (12.0, "injected", "first"),
        (16.0, "reverted", "first"),
        (16.0, "injected", "second"),
        (18.0, "reverted", "second"),
    ]
    assert all(e.error is None for e in run.emitted(FaultReverted))


def test_a_fault_whose_inject_raised_is_still_reverted(tmp_path: Path) -> None:
    run, schedule = run_with(
        tmp_path,
        "  - {kind: latency, name: slow, target: {region: a}, latency: 100ms, at: 12s, duration: 4s}\n",
    )
    before = run.links()
    run.log.fail("add_toxic", "gateway-to-inference-a-1")
    with pytest.raises(FakeFailure):
        schedule.run(run.plan.duration_s)
    assert run.links()["gateway-to-inference-a-0"].toxics == ("slow",)  # half injected
    schedule.revert_all()
    assert run.links() == before
    assert run.log.on("destroy_toxic") == ["gateway-to-inference-a-0"]
    (reverted,) = run.emitted(FaultReverted)
    assert (reverted.fault, reverted.error) == ("slow", None)


def test_a_half_injected_fault_is_recorded_from_its_start_with_its_error(tmp_path: Path) -> None:
    run, schedule = run_with(
        tmp_path,
        "  - {kind: latency, name: slow, target: {region: a}, latency: 100ms, at: 12s, duration: 4s}\n",
    )
    run.log.fail("add_toxic", "gateway-to-inference-a-1")
    with pytest.raises(FakeFailure):  # the run still stops on it (and is marked incomplete)
        schedule.run(run.plan.duration_s)
    (injected,) = run.emitted(FaultInjected)
    assert isinstance(injected, FaultInjected)
    assert (injected.t, injected.fault, injected.error) == (
        12.0,
        "slow",
        "FakeFailure: add_toxic failed on gateway-to-inference-a-1",
    )
    assert injected.message() == (
        "slow inject failed (latency on region=a): "
        "FakeFailure: add_toxic failed on gateway-to-inference-a-1"
    )


def test_abort_reverts_every_active_fault_latest_first(tmp_path: Path) -> None:
    run, schedule = run_with(
        tmp_path,
        "  - {kind: latency, name: early, target: {region: a}, latency: 100ms, at: 11s, duration: 8s}\n"
        "  - {kind: region_outage, name: late, mode: freeze, target: {region: b},"
        " at: 13s, duration: 6s}\n",
        CtrlCAt(15.0),
    )
    with pytest.raises(KeyboardInterrupt):
        schedule.run(run.plan.duration_s)
    schedule.revert_all()
    assert [e.fault for e in run.emitted(FaultReverted)] == ["late", "early"]
    assert all(not s.paused for s in run.instances().values())
    assert all(s.toxics == () for s in run.links().values())


def test_each_revert_is_recorded_even_when_another_raised(tmp_path: Path) -> None:
    run, schedule = run_with(
        tmp_path,
        "  - {kind: latency, name: slow-a, target: {region: a}, latency: 100ms, at: 11s,"
        " duration: 8s}\n"
        "  - {kind: latency, name: slow-b, target: {region: b}, latency: 100ms, at: 12s,"
        " duration: 8s}\n",
        CtrlCAt(15.0),
    )
    with pytest.raises(KeyboardInterrupt):
        schedule.run(run.plan.duration_s)
    run.log.fail("destroy_toxic", "gateway-to-inference-b-0")
    schedule.revert_all()
    reverted = {e.fault: e.error for e in run.emitted(FaultReverted)}
    assert reverted == {
        "slow-b": "FakeFailure: destroy_toxic failed on gateway-to-inference-b-0",
        "slow-a": None,
    }
    assert run.links()["gateway-to-inference-a-0"].toxics == ()


def test_a_fault_reverted_on_time_is_not_reverted_again_on_abort(tmp_path: Path) -> None:
    run, schedule = run_with(
        tmp_path,
        "  - {kind: latency, name: slow, target: {region: a}, latency: 100ms, at: 12s, duration: 4s}\n",
    )
    schedule.run(run.plan.duration_s)
    schedule.revert_all()
    assert [e.fault for e in run.emitted(FaultReverted)] == ["slow"]
    assert run.log.on("destroy_toxic") == ["gateway-to-inference-a-1", "gateway-to-inference-a-0"]
