"""Scores of each spot preemption, from events and samples only.

- drained: the gateway stopped routing to the instance after its notice and before its
  termination (what a termination handler is for); notice → drained is that delay.
- out of rotation: drained, or terminated, whichever came first.
- without full capacity: from out of rotation until the replacement joined the gateway (or the
  run ended: no replacement, or not yet).
- failed requests: requests that failed with this instance as their last try, from its notice
  until its replacement joined (or the run ended).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from harness.events import (
    Event,
    InstanceHealthChanged,
    InstancePreempted,
    InstanceStarted,
    NoCapacity,
    ReplacementStarted,
    SpotNotice,
    SpotRebalance,
)
from harness.load.samples import Sample
from harness.results import Preemption, Replacement
from harness.scenario.plan import Plan

E = TypeVar("E", bound=Event)


@dataclass(frozen=True)
class _Timeline:
    """The events of one instance, in time order."""

    events: list[Event]

    def first(self, kind: type[E], after: float, before: float = float("inf")) -> E | None:
        """The first event of `kind` in [after, before]."""
        return next((e for e in self.of(kind) if after <= e.t <= before), None)

    def of(self, kind: type[E]) -> list[E]:
        """Every event of `kind`."""
        return [e for e in self.events if isinstance(e, kind)]

    def health(self, healthy: bool, after: float, before: float = float("inf")) -> float | None:
        """When the gateway first marked the instance `healthy` (or not) in [after, before]."""
        marks = (e.t for e in self.of(InstanceHealthChanged) if e.healthy == healthy)
        return next((t for t in marks if after <= t <= before), None)


def preemptions(plan: Plan, samples: Sequence[Sample], events: Sequence[Event]) -> list[Preemption]:
    """One score per interruption notice, in time order."""
    ordered = sorted(events, key=lambda e: e.t)
    notices = [e for e in ordered if isinstance(e, SpotNotice)]
    return [_score(plan, n, _of(ordered, n.instance), samples) for n in notices]


def _of(events: list[Event], instance: str) -> _Timeline:
    return _Timeline([e for e in events if getattr(e, "instance", None) == instance])


def _score(plan: Plan, notice: SpotNotice, tl: _Timeline, samples: Sequence[Sample]) -> Preemption:
    end = plan.duration_s
    # A slot can be preempted again once replaced: look only between its neighbouring notices.
    before = max((e.t for e in tl.of(SpotNotice) if e.t < notice.t), default=-1)
    after = min(
        (e.t for e in tl.of(SpotNotice) if e.t > notice.t),
        default=float("inf"),
    )
    rebalances = [e for e in tl.of(SpotRebalance) if before < e.t <= notice.t]
    rebalance = rebalances[-1] if rebalances else None
    gone = tl.first(InstancePreempted, notice.t, after)
    term_t = gone.t if gone is not None else None
    drained = tl.health(False, notice.t, term_t if term_t is not None else after)
    out_at = drained if drained is not None else term_t
    replacement = _replacement(plan, notice, tl, term_t, after)
    joined = replacement.joined_at
    window_end = joined if joined is not None else end
    failed = sum(
        1
        for s in samples
        if not s.ok and s.instance == notice.instance and notice.t <= s.t_end <= window_end
    )
    inst = plan.topology.instance_named(notice.instance)
    return Preemption(
        fault=notice.fault,
        wave=notice.wave,
        instance=notice.instance,
        instance_type=inst.instance_type if inst is not None else None,
        provider=notice.provider,
        rebalance_at=rebalance.t if rebalance is not None else None,
        notice_at=notice.t,
        terminate_at=term_t if term_t is not None else notice.terminate_at,
        gone_at=gone.gone_at if gone is not None else None,
        forced=gone.forced if gone is not None else False,
        drained_at=drained,
        notice_to_drained_s=None if drained is None else drained - notice.t,
        drained_before_termination=drained is not None,
        failed_requests=failed,
        out_of_rotation_at=out_at,
        without_full_capacity_s=None if out_at is None else max(0.0, min(window_end, end) - out_at),
        replacement=replacement,
        finding=_finding(plan, notice, drained, term_t, failed, replacement),
    )


def _replacement(
    plan: Plan, notice: SpotNotice, tl: _Timeline, term_t: float | None, until: float
) -> Replacement:
    fault = next((f for f in plan.faults if f.name == notice.fault), None)
    capacity = getattr(fault.spec, "capacity", None) if fault is not None else None
    capacity = capacity or plan.spot.replacement_capacity
    if term_t is None:
        return Replacement(capacity=capacity)
    if tl.first(NoCapacity, term_t, until) is not None:
        return Replacement(capacity="none")
    started = tl.first(ReplacementStarted, term_t, until)
    if started is None:
        return Replacement(capacity=capacity)
    ready = tl.first(InstanceStarted, started.t, until)
    return Replacement(
        capacity=started.pricing,
        started_at=started.t,
        ready_at=ready.t if ready is not None else None,
        joined_at=tl.health(True, started.t, until),
    )


def _finding(
    plan: Plan,
    notice: SpotNotice,
    drained: float | None,
    term_t: float | None,
    failed: int,
    replacement: Replacement,
) -> str | None:
    lost = f"; {failed} request(s) failed on it" if failed else ""
    if term_t is not None and drained is None:
        if not plan.spot.drain_on_notice:
            why = "no termination handler runs (stack.spot.drain_on_notice: false)"
        else:
            why = "it ignored the interruption notice"
        return f"{why}: the gateway kept routing to it until it was terminated{lost}"
    if replacement.capacity == "none":
        return f"no replacement capacity: the stack stays one instance short{lost}"
    if failed and drained is not None:
        return f"drained {drained - notice.t:.2f}s after its notice, yet {failed} request(s) failed on it"
    return None
