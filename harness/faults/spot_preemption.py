"""Fault `spot_preemption`: the cloud takes spot instances back, with its notice and grace.

Per preempted instance: an optional rebalance recommendation, the interruption notice on the
instance's own metadata endpoint `notice` ahead of termination, SIGTERM at termination, SIGKILL
after `grace`; then the stack's replacement policy launches (or not) a new instance in its slot.
Waves repeat this `waves.count` times, `waves.every` apart, each picking among the spot
instances running then (seeded: the same seed preempts the same instances).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from harness.events import SpotNotice, SpotRebalance
from harness.faults.base import Fault, FaultContext, register_fault
from harness.scenario.durations import Duration, format_duration
from harness.scenario.spot import Capacity, Provider
from harness.scenario.types import CheckContext, FaultSpecBase, SpecIssue, StrictModel
from harness.spot.capacity import pick_seeded
from harness.spot.metadata import Notice
from harness.spot.presets import PRESETS
from harness.spot.steps import Steps

if TYPE_CHECKING:  # the scenario model imports every fault
    from harness.scenario.model import Stack
    from harness.scenario.topology import InstancePlan


class Waves(StrictModel):
    """Several preemptions at intervals: a capacity crunch."""

    count: int = Field(1, ge=1, le=20, description="how many waves")
    every: Duration = Field(0.0, description="time between waves (scaled)")


class SpotPreemptionSpec(FaultSpecBase):
    """Preempt spot instances matching `target`: `count` of them or a `fraction` (default 1)."""

    kind: Literal["spot_preemption"]
    count: int | None = Field(None, ge=1, description="instances per wave")
    fraction: float | None = Field(
        None, gt=0, le=1, description="share of the matching spot instances per wave"
    )
    provider: Provider | None = Field(None, description="default: stack.spot.provider")
    notice: Duration | None = Field(None, description="notice → termination; default: preset")
    grace: Duration | None = Field(None, description="SIGTERM → SIGKILL; default: preset")
    rebalance: Duration | None = Field(
        None, description="aws: a rebalance recommendation this long before the notice"
    )
    capacity: Capacity | None = Field(
        None, description="replacement for these instances; default: stack.spot.replacement"
    )
    waves: Waves = Field(default_factory=Waves)
    duration: Duration = Field(
        0.0, description="computed (waves + rebalance + notice + grace): leave it out"
    )

    @model_validator(mode="after")
    def _count_or_fraction(self) -> SpotPreemptionSpec:
        if self.count is not None and self.fraction is not None:
            raise ValueError("give count or fraction, not both")
        return self

    def resolve(self, stack: Stack) -> SpotPreemptionSpec:
        """Preset values of the stack's cloud (or the fault's own `provider`) filled in."""
        return self.resolved(stack.spot.provider)

    def resolved(self, provider: str) -> SpotPreemptionSpec:
        """Preset values filled in for `provider` (the stack's unless the fault names one)."""
        preset = PRESETS[self.provider or provider]
        notice = self.notice if self.notice is not None else preset.notice_s
        grace = self.grace if self.grace is not None else preset.grace_s
        rebalance = self.rebalance or 0.0
        span = (self.waves.count - 1) * self.waves.every + rebalance + notice + grace
        return self.model_copy(
            update={
                "provider": self.provider or provider,
                "notice": notice,
                "grace": grace,
                "duration": span,
            }
        )

    def scaled(self, factor: float) -> SpotPreemptionSpec:
        """Every time of the preemption's timeline shrinks with --time-scale."""
        return self.model_copy(
            update={
                "at": self.at * factor,
                "duration": self.duration * factor,
                "notice": None if self.notice is None else self.notice * factor,
                "grace": None if self.grace is None else self.grace * factor,
                "rebalance": None if self.rebalance is None else self.rebalance * factor,
                "waves": self.waves.model_copy(update={"every": self.waves.every * factor}),
            }
        )

    def describe_target(self) -> str:
        """'2 of the spot instances in region=us-east-1, 2 waves 60s apart'."""
        how = f"{self.fraction:.0%} of" if self.fraction is not None else f"{self.count or 1} of"
        waves = (
            f", {self.waves.count} waves {format_duration(self.waves.every)} apart"
            if self.waves.count > 1
            else ""
        )
        where = self.target.describe()
        scope = "" if where == "everything" else f" ({where})"
        return f"{how} the spot instances{scope}{waves}"

    def check(self, ctx: CheckContext) -> list[SpecIssue]:
        """Spot instances must exist under the target; the notice must end inside the run."""
        issues: list[SpecIssue] = []
        if "duration" in self.model_fields_set:
            issues.append(
                (
                    ("duration",),
                    "spot_preemption takes no duration: it follows from its notice, grace "
                    "and waves",
                    "remove duration (set notice, grace, waves instead)",
                )
            )
        provider = self.provider or ctx.provider
        if self.rebalance is not None and not PRESETS[provider].rebalance:
            issues.append(
                (
                    ("rebalance",),
                    f"{provider} has no rebalance recommendation (only aws does)",
                    "remove rebalance",
                )
            )
        issues += self._check_instances(ctx)
        return issues + self._check_times(ctx)

    def _check_instances(self, ctx: CheckContext) -> list[SpecIssue]:
        matching = ctx.topology.select_instances(self.target)
        if not matching:  # the generic target check says what is wrong with it
            return []
        spot = [i for i in matching if i.spot]
        named = self.target.instance
        if named is not None and matching and not spot:
            known = ", ".join(i.name for i in ctx.topology.spot_instances()) or "none"
            return [
                (
                    ("target", "instance"),
                    f"{named} is an on_demand instance: only spot instances can be preempted",
                    f"spot instances: {known}",
                )
            ]
        if matching and not spot:
            return [
                (
                    ("target",),
                    f"no spot instance matches the target ({self.target.describe()})",
                    "give the region some spot capacity: inference.spot: 2 (or 0.7)",
                )
            ]
        if self.count is not None and self.count > len(spot):
            return [
                (
                    ("count",),
                    f"count {self.count} is more than the {len(spot)} spot instances of the target",
                    None,
                )
            ]
        return []

    def _check_times(self, ctx: CheckContext) -> list[SpecIssue]:
        spec = self.resolved(self.provider or ctx.provider)
        assert spec.notice is not None
        first_notice = self.at + (self.rebalance or 0.0)
        end = first_notice + spec.notice
        if end > ctx.run_length_s:
            return [
                (
                    ("notice",) if "notice" in self.model_fields_set else (),
                    f"the notice ({format_duration(spec.notice)}, {spec.provider}) runs past the "
                    f"end of the run: notice at {format_duration(first_notice)}, termination at "
                    f"{format_duration(end)}, the run ends at {format_duration(ctx.run_length_s)}",
                    "start the preemption earlier, shorten the notice or lengthen load.phases",
                )
            ]
        return []


@register_fault
@dataclass(eq=False)
class SpotPreemptionFault(Fault[SpotPreemptionSpec]):
    """Waves of preemptions; revert skips whatever is not yet due and frees the claimed slots.

    Its spec is resolved (preset filled in) and scaled by the plan.
    """

    _steps: list[Steps] = field(default_factory=list, init=False)
    # Claimed, not yet terminated.
    _pending: dict[str, InstancePlan] = field(default_factory=dict, init=False)
    _reverted: bool = field(default=False, init=False)

    def inject(self, ctx: FaultContext) -> None:
        """Schedule every wave from now."""
        spec = self.spec
        now = ctx.clock()
        waves = Steps(ctx.clock, f"{self.name}-waves")
        for w in range(spec.waves.count):
            waves.at(now + w * spec.waves.every, partial(self._wave, ctx, w + 1))
        self._run(waves)

    def _run(self, steps: Steps) -> None:
        if self._reverted:  # a wave that was already running when the revert came
            return
        self._steps.append(steps)
        steps.start()

    def _wave(self, ctx: FaultContext, wave: int) -> None:
        if self._reverted:
            return
        spec = self.spec
        chosen = ctx.stack.spot.claim(spec.target, pick_seeded(ctx.rng, spec.count, spec.fraction))
        for inst in chosen:
            self._pending[inst.name] = inst
            self._run(self._timeline(ctx, inst, wave))

    def _timeline(self, ctx: FaultContext, inst: InstancePlan, wave: int) -> Steps:
        spec = self.spec
        assert spec.notice is not None and spec.grace is not None and spec.provider is not None
        now = ctx.clock()
        rebalance_at = now if spec.rebalance is not None else None
        notice_at = now + (spec.rebalance or 0.0)
        terminate_at = notice_at + spec.notice
        epoch = time.time() - now  # run time → epoch seconds (what the metadata shows)
        ctx.stack.spot.metadata.publish(
            inst.name,
            Notice(
                spec.provider,
                None if rebalance_at is None else epoch + rebalance_at,
                epoch + notice_at,
                epoch + terminate_at,
            ),
        )
        events, name = ctx.events, inst.name
        steps = Steps(ctx.clock, f"{self.name}-{name}")
        if rebalance_at is not None:
            steps.at(rebalance_at, lambda: events.emit(SpotRebalance(ctx.clock(), name, self.name)))
        notice = SpotNotice(notice_at, name, self.name, spec.provider, wave, terminate_at)
        steps.at(notice_at, lambda: events.emit(notice))
        steps.at(terminate_at, lambda: self._terminate(ctx, inst))
        return steps

    def _terminate(self, ctx: FaultContext, inst: InstancePlan) -> None:
        spec = self.spec
        assert spec.grace is not None
        self._pending.pop(inst.name, None)
        capacity = spec.capacity or ctx.stack.spot.policy.capacity
        ctx.stack.spot.terminate(inst, self.name, spec.grace, capacity)

    def revert(self, ctx: FaultContext) -> None:
        """Skip steps not yet due; a claimed instance that was not terminated is let go."""
        self._reverted = True
        for steps in list(self._steps):
            steps.cancel()
        for steps in list(self._steps):
            steps.join()
        for inst in list(self._pending.values()):
            ctx.stack.spot.release(inst)
        self._pending.clear()
