"""Execute a plan: stack up, load and faults on schedule, then every fault reverted and all torn down."""

from __future__ import annotations

import contextlib
import logging
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from harness import settings
from harness.backends.base import Backend
from harness.clock import RunClock
from harness.errors import HarnessError
from harness.events import CleanupFailed, EventLog, RunAborted
from harness.faults import FaultContext, PrepareContext, prepare_faults
from harness.load.runner import LoadRunner, LoadSpec
from harness.load.samples import Sample
from harness.load.spec import PENDING_GATEWAY
from harness.observe.gateway_state import GatewayWatcher
from harness.observe.progress import Progress
from harness.pipeline.session import PipelineOutcome, PipelineSession
from harness.protocols.probe import probe_stack
from harness.scenario.plan import Plan
from harness.schedule import Schedule
from harness.stack import RunningStack

# The load worker starts (imports locust) while the stack starts; once both are up, time zero
# is this far ahead, so the first requests leave on schedule.
LOAD_START_LEAD_S = 0.3
LOAD_READY_TIMEOUT_S = 60.0

log = logging.getLogger(__name__)


class _Stoppable(Protocol):
    def stop(self) -> None: ...


class Interrupted(Exception):
    """SIGINT or SIGTERM arrived during the run."""


@dataclass(frozen=True)
class Execution:
    """What the run recorded, and whether it ran to its end."""

    samples: list[Sample]
    complete: bool
    incomplete_reason: str | None
    interrupted: bool = False  # cut short by the user (Ctrl-C, SIGTERM), not by a failure
    pipeline: PipelineOutcome = field(default_factory=PipelineOutcome)
    holdout: Path | None = None  # the rows the load sent (drift is computed from them)


def execute(
    plan: Plan, backend: Backend, events: EventLog, progress: Progress, out_dir: Path
) -> Execution:
    """Run the plan on `backend`; faults are reverted and the stack removed however it ends."""
    from harness.reference.contract import build_model

    progress.say("preparing the reference model (cached by content)")
    model = build_model(settings.cache_dir() / "model", seed=7)
    # the rows the load sends: load.dataset's (written once into the run folder) or the model's
    holdout = plan.dataset.holdout(out_dir, model.holdout_path)
    live = _Live(plan, events, progress, out_dir, RunClock(), model.out_dir)
    live.stack = RunningStack(
        plan, backend, events, live.clock, model.out_dir, settings.start_timeout_s()
    )
    reason: str | None = None
    start_error: Exception | None = None
    interrupted = False
    with _signals_interrupt():
        try:
            live.go(holdout)
        except (Interrupted, KeyboardInterrupt) as exc:
            reason = f"interrupted ({str(exc) or 'SIGINT'})"
            interrupted = True
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            start_error = exc if not live.load_started else None
        finally:
            teardown_error = live.cleanup()
    reason = reason or teardown_error
    if start_error is not None:  # nothing was recorded: the start failure is the whole story
        raise start_error
    if reason:
        events.emit(RunAborted(live.clock(), reason=reason))
        progress.say(f"run incomplete: {reason}")
    samples = live.load.samples if live.load is not None else []
    return Execution(list(samples), reason is None, reason, interrupted, live.outcome, holdout)


@dataclass
class _Live:
    """The moving parts of a run in progress, so cleanup can reach whatever was started."""

    plan: Plan
    events: EventLog
    progress: Progress
    out_dir: Path
    clock: RunClock
    model_dir: Path
    stack: RunningStack | None = None
    load: LoadRunner | None = None
    watcher: GatewayWatcher | None = None
    schedule: Schedule | None = None
    pipeline: PipelineSession | None = None
    outcome: PipelineOutcome = field(default_factory=PipelineOutcome)
    load_started: bool = False  # the load has a time zero: samples may have been recorded

    def go(self, holdout: Path) -> None:
        """Start the load worker and the stack, then load, observers and the fault schedule."""
        assert self.stack is not None
        plan, stack = self.plan, self.stack
        self.load = _spawn_load(plan, stack, holdout, self.out_dir, self.progress)
        stack.start(self.progress.say)
        probe_stack(plan, stack.gateway_url, holdout)  # own service: does it speak its protocol?
        t0 = self.load.go(stack.gateway_url, LOAD_START_LEAD_S, LOAD_READY_TIMEOUT_S)
        self.clock.start_at(t0)
        self.load_started = True
        self.watcher = GatewayWatcher(stack.gateway_url, self.events, self.clock)
        self.watcher.start()
        self.pipeline = PipelineSession(plan, stack, self.events, self.clock)
        self.pipeline.start(self.model_dir)
        self.progress.start(self.clock, period_s=max(0.5, min(5.0, plan.duration_s / 30)))
        self.progress.say(
            f"stack ready; load starts at "
            f"{plan.scenario.load.rate:g} req/s for {plan.duration_s:g}s"
        )
        self.schedule = Schedule(plan, self._context, self.events, self.clock)
        self.schedule.run(plan.duration_s)
        self.load.wait(timeout=10 + LOAD_START_LEAD_S)
        self.load.raise_for_error()

    def _context(self, fault_name: str) -> FaultContext:
        assert self.stack is not None
        feed = self.pipeline.feed if self.pipeline is not None else None
        return FaultContext(self.stack, self.events, self.plan.rng(fault_name), self.clock, feed)

    def cleanup(self) -> str | None:
        """Revert first (the point of a chaos tool's cleanup), then stop observers and the stack.

        Returns what went wrong while tearing down (an engine that died mid-run), if anything:
        the caller still writes the results recorded so far, marked incomplete.
        """
        with _signals_deferred(self.progress):
            if self.schedule is not None:
                self.schedule.revert_all()
            self._stop("load", self.load)
            self._stop("gateway watcher", self.watcher)
            self._stop("pipeline feed and probe", self.pipeline)
            self._stop("progress display", self.progress)
            if self.stack is None:
                return None
            if self.pipeline is not None:
                self._audit(self.pipeline)
            try:
                self.stack.teardown()
            except HarnessError as exc:
                self.progress.say(f"teardown failed: {exc.render()}")
                return f"teardown failed: {exc.message}"
        return None

    def _stop(self, what: str, stopper: _Stoppable | None) -> None:
        """Stop one observer; a failure is logged and recorded, and the cleanup goes on."""
        if stopper is None:
            return
        try:
            stopper.stop()
        except Exception as exc:  # the stack must still be torn down
            error = f"{type(exc).__name__}: {exc}"
            log.warning("cleanup: stopping the %s failed: %s", what, error)
            self.events.emit(CleanupFailed(self.clock(), what=what, error=error))

    def _audit(self, session: PipelineSession) -> None:
        if session.feed is not None:
            self.progress.say("feed stopped; waiting for replication, then auditing every store")
        self.outcome = session.finish(self.out_dir)
        audit = self.outcome.audit
        if audit is not None:
            r = audit.report
            self.progress.say(
                f"audit: {r.records_acked} acknowledged, {r.records_lost} lost, "
                f"{r.records_duplicated} duplicated, RPO "
                + (f"{r.rpo_s:.2f}s" if r.rpo_s is not None else "n/a")
            )
        elif self.outcome.audit_error:
            self.progress.say(f"audit failed: {self.outcome.audit_error}")


def _spawn_load(
    plan: Plan, stack: RunningStack, holdout: Path, out_dir: Path, progress: Progress
) -> LoadRunner:
    """The load worker, started ahead: it learns the gateway and time zero from `go`."""
    spec = LoadSpec(
        gateway_url=PENDING_GATEWAY,
        holdout_path=holdout,
        rate=plan.scenario.load.rate,
        duration_s=plan.duration_s,
        t0_epoch=0.0,
        seed=plan.seed,
        timeout_s=plan.scenario.load.timeout,
        batch_size=plan.scenario.load.batch_size,
        run_id=stack.backend.run_id,
        corruptions=prepare_faults(PrepareContext(plan, holdout, out_dir)).corruptions,
        await_go=True,
        features=plan.dataset.features,
        # every region speaks one protocol (checked at validation): the first region's
        protocol=plan.scenario.stack.regions[0].inference.protocol.model_dump(mode="json"),
        classes=plan.dataset.classes,
    )
    runner = LoadRunner(
        spec, out_dir / "samples.csv", progress.on_sample, log_path=out_dir / "logs" / "load.log"
    )
    runner.start()
    return runner


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """Turn SIGTERM into the same path as Ctrl-C while the run is live."""

    def handler(signum: int, _frame: object) -> None:
        raise Interrupted(signal.Signals(signum).name)

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


@contextlib.contextmanager
def _signals_deferred(progress: Progress) -> Iterator[None]:
    """While reverting, a second Ctrl-C or SIGTERM must not cut the revert short."""

    def handler(signum: int, _frame: object) -> None:
        progress.say(f"{signal.Signals(signum).name} received: reverting faults first, please wait")

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)
