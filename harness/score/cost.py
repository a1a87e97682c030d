"""What the stack cost over the run: instance-seconds by type and pricing class, priced.

Every instance of the stack (the harness's proxy is not part of it) is billed from the run's
start, or its launch for a replacement, until its termination or the run's end. Prices are
per hour; spot prices come from the type's `spot_price`, else its or the stack's discount.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from harness.events import Event, InstancePreempted, ReplacementStarted
from harness.results import Cost, CostLine, Preemption
from harness.scenario.model import Stack
from harness.scenario.spot import SPOT
from harness.scenario.topology import Topology

HOUR_S = 3600.0


@dataclass(frozen=True)
class Lifetime:
    """One instance's billed span on one pricing class, seconds since run start."""

    instance: str
    instance_type: str | None
    pricing: str
    start_s: float
    end_s: float

    @property
    def seconds(self) -> float:
        """Its length (never negative)."""
        return max(0.0, self.end_s - self.start_s)


def lifetimes(topology: Topology, events: Sequence[Event], end_s: float) -> list[Lifetime]:
    """Every billed span: the instances from the start, replacements from their launch."""
    open_: dict[str, Lifetime] = {
        i.name: Lifetime(i.name, i.instance_type, i.pricing, 0.0, end_s) for i in topology.instances
    }
    done: list[Lifetime] = []
    for e in sorted(events, key=lambda e: e.t):
        if isinstance(e, InstancePreempted) and e.instance in open_:
            gone = e.gone_at if e.gone_at is not None else e.t
            done.append(_until(open_.pop(e.instance), min(gone, end_s)))
        elif isinstance(e, ReplacementStarted) and e.t < end_s:
            open_[e.instance] = Lifetime(e.instance, e.instance_type, e.pricing, e.t, end_s)
    return done + list(open_.values())


def _until(life: Lifetime, end_s: float) -> Lifetime:
    return Lifetime(life.instance, life.instance_type, life.pricing, life.start_s, end_s)


def hourly_price(stack: Stack, instance_type: str | None, pricing: str) -> float | None:
    """The hourly price of a type on a pricing class; None when the stack gives none."""
    kind = stack.instance_types.get(instance_type) if instance_type is not None else None
    if kind is None:
        return None
    return kind.spot_hourly(stack.spot_discount) if pricing == SPOT else kind.price


def cost(
    stack: Stack,
    spans: Sequence[Lifetime],
    successful_predictions: int,
    preemptions: Sequence[Preemption] = (),
) -> Cost:
    """Price the spans; per 1,000 successful predictions; capacity lost to preemptions."""
    groups: dict[tuple[str | None, str], list[Lifetime]] = defaultdict(list)
    for span in spans:
        groups[(span.instance_type, span.pricing)].append(span)
    lines = [_line(stack, kind, pricing, group) for (kind, pricing), group in groups.items()]
    lines.sort(key=lambda line: (line.instance_type or "", line.pricing))
    seconds = sum(line.instance_seconds for line in lines)
    spot_s = sum(line.instance_seconds for line in lines if line.pricing == SPOT)
    priced = [line.cost for line in lines]
    total = None if any(c is None for c in priced) else sum(c for c in priced if c is not None)
    per_1k = None
    if total is not None and successful_predictions > 0:
        per_1k = total / successful_predictions * 1000.0
    return Cost(
        lines=lines,
        instance_seconds=seconds,
        spot_share=spot_s / seconds if seconds > 0 else None,
        total=total,
        successful_predictions=successful_predictions,
        per_1k_predictions=per_1k,
        capacity_seconds_lost=sum(p.without_full_capacity_s or 0.0 for p in preemptions),
    )


def _line(stack: Stack, kind: str | None, pricing: str, group: list[Lifetime]) -> CostLine:
    seconds = sum(span.seconds for span in group)
    hourly = hourly_price(stack, kind, pricing)
    return CostLine(
        instance_type=kind,
        pricing=pricing,
        instances=len(group),
        instance_seconds=seconds,
        hourly_price=hourly,
        cost=None if hourly is None else seconds / HOUR_S * hourly,
    )
