"""Cost of a constructed run: instance-seconds by type and pricing class, priced exactly."""

from __future__ import annotations

from typing import Any

import pytest

from harness.events import Event, InstancePreempted, ReplacementStarted
from harness.results import CostLine, Preemption, Replacement
from harness.scenario.model import Stack
from harness.scenario.topology import resolve_topology
from harness.score.cost import Lifetime, cost, hourly_price, lifetimes

END = 3600.0
G5, C6I = "g5.xlarge", "c6i.large"
REL = 1e-12


def stack_of(**fields: Any) -> Stack:
    data: dict[str, Any] = {
        "architecture": "single-region",
        "instance_types": {
            G5: {"price": 1.0, "spot_discount": 0.6},
            C6I: {"price": 0.1},
        },
        "default_instance_type": C6I,
        "regions": [{"name": "r1", "inference": {"replicas": 3, "instance_type": G5, "spot": 2}}],
    }
    data.update(fields)
    return Stack.model_validate(data)


def one_preemption(pricing: str = "spot") -> list[Event]:
    return [
        InstancePreempted(100.0, instance="inference-r1-2", fault="f", gone_at=101.0, forced=False),
        ReplacementStarted(131.0, instance="inference-r1-2", pricing=pricing, instance_type=G5),
    ]


def line(lines: list[CostLine], kind: str | None, pricing: str) -> CostLine:
    (found,) = [x for x in lines if x.instance_type == kind and x.pricing == pricing]
    return found


def test_lifetimes_of_a_preempted_and_replaced_instance() -> None:
    topo = resolve_topology(stack_of())
    spans = lifetimes(topo, one_preemption(), END)
    got = sorted((s.instance, s.pricing, s.start_s, s.end_s) for s in spans)
    assert got == [
        ("gateway", "on_demand", 0.0, END),
        ("inference-r1-0", "on_demand", 0.0, END),
        ("inference-r1-1", "spot", 0.0, END),
        ("inference-r1-2", "spot", 0.0, 101.0),  # billed until it was gone
        ("inference-r1-2", "spot", 131.0, END),  # the replacement, from its launch
    ]


def test_cost_of_a_run_with_one_preemption_is_exact() -> None:
    stack = stack_of()
    spans = lifetimes(resolve_topology(stack), one_preemption(), END)
    result = cost(stack, spans, successful_predictions=200_000)

    assert [(x.instance_type, x.pricing) for x in result.lines] == [
        (C6I, "on_demand"),
        (G5, "on_demand"),
        (G5, "spot"),
    ]
    gateway = line(result.lines, C6I, "on_demand")
    assert (gateway.instances, gateway.instance_seconds) == (1, 3600.0)
    assert gateway.hourly_price == pytest.approx(0.1, rel=REL)
    assert gateway.cost == pytest.approx(0.1, rel=REL)

    od = line(result.lines, G5, "on_demand")
    assert (od.instances, od.instance_seconds) == (1, 3600.0)
    assert od.hourly_price == pytest.approx(1.0, rel=REL)
    assert od.cost == pytest.approx(1.0, rel=REL)

    spot = line(result.lines, G5, "spot")
    spot_seconds = 3600.0 + 101.0 + (3600.0 - 131.0)  # 7170
    assert spot.instances == 3  # the replacement counts again
    assert spot.instance_seconds == pytest.approx(spot_seconds, rel=REL)
    assert spot.hourly_price == pytest.approx(0.4, rel=REL)  # 1.0 × (1 − 0.6)
    assert spot.cost == pytest.approx(spot_seconds / 3600.0 * 0.4, rel=REL)

    total = 0.1 + 1.0 + spot_seconds / 3600.0 * 0.4
    seconds = 3600.0 + 3600.0 + spot_seconds
    assert result.instance_seconds == pytest.approx(seconds, rel=REL)
    assert result.total == pytest.approx(total, rel=REL)
    assert result.spot_share == pytest.approx(spot_seconds / seconds, rel=REL)
    assert result.successful_predictions == 200_000
    assert result.per_1k_predictions == pytest.approx(total / 200.0, rel=REL)
    assert result.currency == "USD"
    assert result.capacity_seconds_lost == 0.0


def test_no_successful_predictions_has_no_per_1k() -> None:
    stack = stack_of()
    result = cost(stack, lifetimes(resolve_topology(stack), [], END), successful_predictions=0)
    assert result.total == pytest.approx(0.1 + 1.0 + 2 * 0.4, rel=REL)
    assert result.per_1k_predictions is None


def test_spot_price_given_explicitly_wins_over_the_discount() -> None:
    stack = stack_of(
        instance_types={G5: {"price": 1.0, "spot_price": 0.25}, C6I: {"price": 0.1}},
        spot_discount=0.9,
    )
    assert hourly_price(stack, G5, "spot") == pytest.approx(0.25, rel=REL)
    assert hourly_price(stack, G5, "on_demand") == pytest.approx(1.0, rel=REL)
    result = cost(stack, lifetimes(resolve_topology(stack), [], END), 1000)
    assert line(result.lines, G5, "spot").cost == pytest.approx(2 * 0.25, rel=REL)


def test_the_stacks_discount_serves_a_type_without_its_own() -> None:
    stack = stack_of(instance_types={G5: {"price": 2.0}, C6I: {"price": 0.1}}, spot_discount=0.75)
    assert hourly_price(stack, G5, "spot") == pytest.approx(0.5, rel=REL)
    default = stack_of(instance_types={G5: {"price": 2.0}, C6I: {"price": 0.1}})
    assert hourly_price(default, G5, "spot") == pytest.approx(2.0 * 0.3, rel=REL)  # 0.7 default


def test_the_types_own_discount_wins_over_the_stacks() -> None:
    stack = stack_of(spot_discount=0.1)
    assert hourly_price(stack, G5, "spot") == pytest.approx(0.4, rel=REL)


def test_a_type_without_price_leaves_the_total_unknown() -> None:
    stack = stack_of(default_instance_type=None)  # the gateway has no type, so no price
    spans = lifetimes(resolve_topology(stack), one_preemption(), END)
    result = cost(stack, spans, successful_predictions=1000)
    unpriced = line(result.lines, None, "on_demand")
    assert (unpriced.instance_seconds, unpriced.hourly_price, unpriced.cost) == (3600.0, None, None)
    assert line(result.lines, G5, "on_demand").cost == pytest.approx(1.0, rel=REL)
    assert result.total is None
    assert result.per_1k_predictions is None
    assert result.instance_seconds == pytest.approx(3600.0 * 2 + 7170.0, rel=REL)


def test_a_type_missing_from_the_price_list_leaves_the_total_unknown() -> None:
    stack = stack_of(instance_types={G5: {"price": 1.0}})  # c6i.large has no price
    assert hourly_price(stack, C6I, "on_demand") is None
    result = cost(stack, lifetimes(resolve_topology(stack), [], END), 1000)
    assert result.total is None
    assert result.per_1k_predictions is None


def test_an_on_demand_replacement_makes_an_on_demand_line() -> None:
    stack = stack_of(
        regions=[{"name": "r1", "inference": {"replicas": 2, "instance_type": G5, "spot": 2}}]
    )
    events: list[Event] = [
        InstancePreempted(100.0, instance="inference-r1-1", fault="f", gone_at=101.0, forced=False),
        ReplacementStarted(131.0, instance="inference-r1-1", pricing="on_demand", instance_type=G5),
    ]
    result = cost(stack, lifetimes(resolve_topology(stack), events, END), 1000)
    od = line(result.lines, G5, "on_demand")
    assert (od.instances, od.instance_seconds) == (1, 3600.0 - 131.0)
    assert od.cost == pytest.approx((3600.0 - 131.0) / 3600.0, rel=REL)
    spot = line(result.lines, G5, "spot")
    assert (spot.instances, spot.instance_seconds) == (2, 3600.0 + 101.0)
    assert result.spot_share == pytest.approx(3701.0 / (3701.0 + 3469.0 + 3600.0), rel=REL)


def test_events_after_the_end_are_ignored() -> None:
    stack = stack_of()
    topo = resolve_topology(stack)
    late: list[Event] = [
        InstancePreempted(
            END + 5, instance="inference-r1-2", fault="f", gone_at=END + 6, forced=False
        ),
        ReplacementStarted(END + 30, instance="inference-r1-2", pricing="spot", instance_type=G5),
        ReplacementStarted(END + 40, instance="inference-r1-1", pricing="on_demand"),
    ]
    assert sorted(lifetimes(topo, late, END), key=lambda s: s.instance) == sorted(
        lifetimes(topo, [], END), key=lambda s: s.instance
    )


def test_a_termination_that_ends_after_the_run_is_billed_to_the_end() -> None:
    topo = resolve_topology(stack_of())
    events: list[Event] = [
        InstancePreempted(
            END - 2, instance="inference-r1-2", fault="f", gone_at=END + 8, forced=False
        )
    ]
    spans = [s for s in lifetimes(topo, events, END) if s.instance == "inference-r1-2"]
    assert [(s.start_s, s.end_s) for s in spans] == [(0.0, END)]


def test_events_out_of_order_are_sorted_by_time() -> None:
    topo = resolve_topology(stack_of())
    spans = lifetimes(topo, list(reversed(one_preemption())), END)
    mine = sorted((s.start_s, s.end_s) for s in spans if s.instance == "inference-r1-2")
    assert mine == [(0.0, 101.0), (131.0, END)]


def test_without_gone_at_the_termination_time_ends_the_span() -> None:
    topo = resolve_topology(stack_of())
    events: list[Event] = [
        InstancePreempted(100.0, instance="inference-r1-2", fault="f", gone_at=None, forced=False)
    ]
    (span,) = [s for s in lifetimes(topo, events, END) if s.instance == "inference-r1-2"]
    assert span.end_s == 100.0


def test_a_lifetime_is_never_negative() -> None:
    assert Lifetime("i", G5, "spot", 10.0, 5.0).seconds == 0.0


def test_capacity_lost_sums_the_preemptions() -> None:
    stack = stack_of()

    def preemption(lost: float | None) -> Preemption:
        return Preemption(
            fault="f",
            wave=1,
            instance="inference-r1-2",
            instance_type=G5,
            provider="aws",
            rebalance_at=None,
            notice_at=10.0,
            terminate_at=130.0,
            gone_at=131.0,
            forced=False,
            drained_at=11.0,
            notice_to_drained_s=1.0,
            drained_before_termination=True,
            failed_requests=0,
            out_of_rotation_at=11.0,
            without_full_capacity_s=lost,
            replacement=Replacement(capacity="spot"),
        )

    spans = lifetimes(resolve_topology(stack), [], END)
    result = cost(stack, spans, 1000, [preemption(150.5), preemption(None), preemption(20.0)])
    assert result.capacity_seconds_lost == pytest.approx(170.5, rel=REL)
