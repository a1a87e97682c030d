"""Run the fault schedule against the clock: phases, injections, reverts; revert always runs."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from harness.events import EventLog, FaultInjected, FaultReverted, PhaseStarted
from harness.faults import FAULTS, Fault, FaultContext
from harness.scenario.plan import Plan


@dataclass
class Schedule:
    """Fires phase starts, injections and reverts at their planned times."""

    plan: Plan
    make_context: Callable[[str], FaultContext]
    events: EventLog
    clock: Callable[[], float]
    sleep: Callable[[float], None] = time.sleep  # unit tests pass a fake clock's
    active: dict[str, Fault] = field(default_factory=dict)

    def actions(self) -> list[tuple[float, int, Callable[[], None]]]:
        """(time, order, action) sorted; reverts come before injections at the same time."""
        out: list[tuple[float, int, Callable[[], None]]] = []
        for phase in self.plan.phases:
            out.append((phase.start, 0, partial(self._phase, phase.name)))
        for sf in self.plan.faults:
            fault = FAULTS.get(sf.spec.kind)(sf.spec, sf.name)
            out.append((sf.at, 2, partial(self._inject, fault)))
            out.append((sf.end, 1, partial(self.revert, fault)))
        return sorted(out, key=lambda a: (a[0], a[1]))

    def run(self, end: float) -> None:
        """Fire every action at its time, then wait until `end` (seconds since run start)."""
        for at, _, action in self.actions():
            self._sleep_until(at)
            action()
        self._sleep_until(end)

    def _phase(self, name: str) -> None:
        self.events.emit(PhaseStarted(self.clock(), phase=name))

    def _inject(self, fault: Fault) -> None:
        self.active[fault.name] = fault
        started = self.clock()  # the fault acts from here; inject itself takes a moment
        try:
            fault.inject(self.make_context(fault.name))
        except BaseException as exc:  # Ctrl-C too: it may have acted on part of its target
            self._injected(fault, started, _error_text(exc))
            raise
        self._injected(fault, started, None)

    def _injected(self, fault: Fault, started: float, error: str | None) -> None:
        """Record the injection, half done or not: it is reverted and scored all the same."""
        self.events.emit(
            FaultInjected(
                started,
                fault=fault.name,
                fault_kind=fault.spec.kind,
                target=fault.spec.describe_target(),
                error=error,
            )
        )

    def revert(self, fault: Fault) -> None:
        """Revert one fault and record it, error or not; never raises."""
        if self.active.pop(fault.name, None) is None:
            return
        error = None
        try:
            fault.revert(self.make_context(fault.name))
        except Exception as exc:  # recorded, and the other reverts still run
            error = _error_text(exc)
        self.events.emit(FaultReverted(self.clock(), fault=fault.name, error=error))

    def revert_all(self) -> None:
        """Revert every fault still active, latest first."""
        for fault in reversed(list(self.active.values())):
            self.revert(fault)

    def _sleep_until(self, t: float) -> None:
        while (left := t - self.clock()) > 0:
            self.sleep(min(left, 0.05))


def _error_text(exc: BaseException) -> str:
    """'FakeFailure: add_toxic failed', or just 'KeyboardInterrupt' when it says nothing."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
