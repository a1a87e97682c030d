"""Steps: actions run in time order at their times; a cancel skips what is not yet due."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from harness.spot.steps import CANCEL_TOLERANCE_S, Steps

JOIN_S = 5.0


class Recorder:
    """Records (label, clock time) of every action that ran."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.ran: list[tuple[str, float]] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        return time.monotonic() - self.t0

    def action(self, label: str) -> Callable[[], None]:
        def run() -> None:
            with self._lock:
                self.ran.append((label, self.clock()))

        return run

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.ran]


def test_runs_in_time_order_at_their_times() -> None:
    rec = Recorder()
    now = rec.clock()
    steps = Steps(rec.clock, "t")
    due = {"c": now + 0.3, "a": now + 0.05, "b": now + 0.15}
    for label, t in due.items():  # added out of order
        steps.at(t, rec.action(label))
    steps.start()
    steps.join(JOIN_S)
    assert steps.done
    assert rec.labels == ["a", "b", "c"]
    for label, ran_at in rec.ran:
        assert ran_at >= due[label]  # never early


def test_a_step_due_already_runs_at_once() -> None:
    rec = Recorder()
    steps = Steps(rec.clock, "t")
    steps.at(rec.clock() - 1.0, rec.action("late"))
    steps.start()
    steps.join(JOIN_S)
    assert rec.labels == ["late"]


def test_cancel_skips_steps_due_later() -> None:
    rec = Recorder()
    now = rec.clock()
    steps = Steps(rec.clock, "t")
    steps.at(now + 0.05, rec.action("early"))
    steps.at(now + 0.3 + CANCEL_TOLERANCE_S + 0.3, rec.action("late"))
    steps.start()
    while "early" not in rec.labels and rec.clock() < now + JOIN_S:
        time.sleep(0.01)
    steps.cancel()
    steps.join(JOIN_S)
    assert steps.done
    assert rec.labels == ["early"]


def test_cancel_still_runs_a_step_due_within_the_tolerance() -> None:
    rec = Recorder()
    now = rec.clock()
    steps = Steps(rec.clock, "t")
    within = now + CANCEL_TOLERANCE_S / 2
    steps.at(within, rec.action("within"))
    steps.at(now + CANCEL_TOLERANCE_S + 0.5, rec.action("beyond"))
    steps.start()
    steps.cancel()
    steps.join(JOIN_S)
    assert rec.labels == ["within"]
    assert rec.ran[0][1] >= within  # it still waited for its time


def test_cancel_before_anything_is_due_skips_everything() -> None:
    rec = Recorder()
    now = rec.clock()
    steps = Steps(rec.clock, "t")
    steps.at(now + CANCEL_TOLERANCE_S + 0.3, rec.action("a"))
    steps.at(now + CANCEL_TOLERANCE_S + 0.4, rec.action("b"))
    steps.start()
    steps.cancel()
    steps.join(JOIN_S)
    assert steps.done
    assert rec.labels == []


def test_a_failing_action_does_not_stop_later_ones() -> None:
    rec = Recorder()
    now = rec.clock()
    steps = Steps(rec.clock, "t")

    def boom() -> None:
        raise RuntimeError("step failed")

    steps.at(now + 0.05, rec.action("before"))
    steps.at(now + 0.1, boom)
    steps.at(now + 0.15, rec.action("after"))
    steps.start()
    steps.join(JOIN_S)
    assert rec.labels == ["before", "after"]


def test_not_done_before_start() -> None:
    steps = Steps(time.monotonic, "t")
    assert not steps.done
    steps.join()  # nothing to wait for
