"""The executor's cleanup in-process: revert first, signals deferred, teardown whatever failed."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from harness.events import FaultReverted
from harness.execute import Execution, _Live
from harness.observe.progress import Progress
from harness.report.model import build_view
from harness.schedule import Schedule
from harness.score.results_of import RunMeta, results_of
from tests.unit.fakes import CallLog, FakeClock, FakeRun, fake_run, two_regions

SCENARIO = (
    two_regions()
    + """\
faults:
  - {kind: latency, name: slow, target: {region: a}, latency: 100ms, at: 11s, duration: 8s}
  - {kind: region_outage, name: frozen, mode: freeze, target: {region: b}, at: 12s, duration: 6s}
"""
)


class StopAt(FakeClock):
    """The run is cut short (Ctrl-C) once its clock would pass `at`."""

    def __init__(self, at: float) -> None:
        super().__init__()
        self.at = at

    def sleep(self, seconds: float) -> None:
        if self.t + seconds > self.at:
            raise KeyboardInterrupt
        super().sleep(seconds)


class JournalProgress(Progress):
    """Progress whose lines are kept and whose stop is written in the fakes' call log."""

    def __init__(self, log: CallLog) -> None:
        super().__init__(io.StringIO())
        self.log = log

    def stop(self) -> None:
        self.log.record("stop", "progress")
        super().stop()

    @property
    def lines(self) -> list[str]:
        assert isinstance(self.stream, io.StringIO)
        return self.stream.getvalue().splitlines()


def interrupted_mid_fault(tmp_path: Path) -> tuple[FakeRun, _Live]:
    """Both faults active at t=15 when Ctrl-C arrives; the live run cleanup would be given."""
    run = fake_run(tmp_path, SCENARIO, StopAt(15.0))
    progress = JournalProgress(run.log)
    live = _Live(run.plan, run.events, progress, tmp_path, run.clock, tmp_path / "model")  # type: ignore[arg-type]
    live.stack = run.stack
    live.schedule = Schedule(run.plan, run.context, run.events, run.clock, sleep=run.clock.sleep)
    with pytest.raises(KeyboardInterrupt):
        live.schedule.run(run.plan.duration_s)
    assert set(live.schedule.active) == {"slow", "frozen"}
    run.log.calls.clear()
    return run, live


Handler = Callable[[int, object], None]


@pytest.fixture
def signals_raise() -> Iterator[Handler]:
    """SIGINT and SIGTERM raise, as in a live run, but neither stops pytest if a test fails."""

    def handler(signum: int, _frame: object) -> None:
        raise RuntimeError(f"{signal.Signals(signum).name} was not deferred")

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    yield handler
    for s, h in old.items():
        signal.signal(s, h)


def test_cleanup_reverts_every_fault_before_it_stops_anything(tmp_path: Path) -> None:
    run, live = interrupted_mid_fault(tmp_path)
    assert live.cleanup() is None
    calls = run.log.calls
    last_revert = max(i for i, (what, _) in enumerate(calls) if what in ("destroy_toxic", "resume"))
    assert calls.index(("stop", "progress")) > last_revert
    assert calls[-1] == ("teardown", "")
    assert [e.fault for e in run.emitted(FaultReverted)] == ["frozen", "slow"]
    assert all(e.error is None for e in run.emitted(FaultReverted))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_second_signal_during_the_revert_waits_for_the_revert(
    tmp_path: Path, sig: signal.Signals, signals_raise: Handler
) -> None:
    run, live = interrupted_mid_fault(tmp_path)
    run.log.when("destroy_toxic", "gateway-to-inference-a-1", lambda: os.kill(os.getpid(), sig))
    assert live.cleanup() is None
    assert run.log.on("destroy_toxic") == ["gateway-to-inference-a-1", "gateway-to-inference-a-0"]
    assert all(s.toxics == () for s in run.links().values())
    assert all(e.error is None for e in run.emitted(FaultReverted))
    assert run.log.calls[-1] == ("teardown", "")
    assert f"harness: {sig.name} received: reverting faults first, please wait" in (
        live.progress.lines  # type: ignore[attr-defined]
    )
    assert signal.getsignal(sig) is signals_raise  # the run's own handler is back afterwards


def test_the_stack_is_torn_down_even_when_a_stopper_failed(tmp_path: Path) -> None:
    run, live = interrupted_mid_fault(tmp_path)
    run.log.fail("stop", "progress")
    assert live.cleanup() is None
    assert run.log.calls[-1] == ("teardown", "")
    assert all(not s.running for s in run.instances().values())


def test_a_stopper_that_fails_is_logged_and_recorded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    run, live = interrupted_mid_fault(tmp_path)
    run.log.fail("stop", "progress")
    with caplog.at_level(logging.WARNING, logger="harness.execute"):
        assert live.cleanup() is None
    line = "cleanup: stopping the progress display failed: FakeFailure: stop failed on progress"
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [line]
    (record,) = [r for r in run.events.records() if r["type"] == "CleanupFailed"]
    assert record["message"] == line
    assert record["data"] == {
        "what": "progress display",
        "error": "FakeFailure: stop failed on progress",
    }
    assert run.log.calls[-1] == ("teardown", "")
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    meta = RunMeta("r", "fake", "harness run s.yaml", now, now, "s.yaml", SCENARIO, tmp_path)
    results = results_of(run.plan, Execution([], False, "interrupted"), run.events, meta)
    assert line in [row.message for row in build_view(results).events]  # the report's event log
