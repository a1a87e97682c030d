"""Which spot instances a preemption takes: seeded picks, rounding, and what can be claimed."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from harness.events import Event, InstancePreempted, NoCapacity, ReplacementStarted
from harness.scenario.model import Stack
from harness.scenario.topology import InstancePlan, Topology, resolve_topology
from harness.scenario.types import TargetSelector
from harness.spot.capacity import ReplacementPolicy, SpotCapacity, pick_seeded
from harness.spot.metadata import MetadataFiles, Notice


def spot_instances(n: int, region: str = "r1") -> list[InstancePlan]:
    return [
        InstancePlan(f"inference-{region}-{i}", "inference", region, i, "spot", "g5.xlarge")
        for i in range(n)
    ]


def names(picked: list[InstancePlan]) -> list[str]:
    return [i.name for i in picked]


# --- pick_seeded ----------------------------------------------------------------------------


def test_same_seed_picks_the_same_instances() -> None:
    pool = spot_instances(8)
    first = names(pick_seeded(random.Random("7:capacity-crunch"), 3, None)(pool))
    for _ in range(5):
        again = pick_seeded(random.Random("7:capacity-crunch"), 3, None)(list(reversed(pool)))
        assert names(again) == first  # the order the pool comes in does not matter either
    assert len(first) == 3 and len(set(first)) == 3


def test_different_seeds_can_pick_differently() -> None:
    pool = spot_instances(8)
    picks = {
        tuple(names(pick_seeded(random.Random(f"{seed}:f"), 2, None)(pool))) for seed in range(20)
    }
    assert len(picks) > 1


def test_picks_come_back_sorted_by_name() -> None:
    pool = spot_instances(12)
    picked = names(pick_seeded(random.Random("x"), 5, None)(pool))
    assert picked == sorted(picked)


@pytest.mark.parametrize(
    ("available", "fraction", "expected"),
    [
        (3, 0.5, 2),  # 1.5 → 2: half up
        (5, 0.5, 3),  # 2.5 → 3
        (3, 0.7, 2),
        (4, 0.6, 2),  # 2.4 → 2
        (3, 0.1, 1),  # 0.3 → at least one
        (1, 0.2, 1),
        (4, 1.0, 4),
    ],
)
def test_fraction_rounds_half_up_with_at_least_one(
    available: int, fraction: float, expected: int
) -> None:
    picked = pick_seeded(random.Random(1), None, fraction)(spot_instances(available))
    assert len(picked) == expected


def test_count_larger_than_available_takes_all() -> None:
    pool = spot_instances(2)
    assert names(pick_seeded(random.Random(1), 5, None)(pool)) == names(pool)


def test_no_count_no_fraction_takes_one() -> None:
    assert len(pick_seeded(random.Random(1), None, None)(spot_instances(4))) == 1


def test_nothing_available_picks_nothing() -> None:
    assert pick_seeded(random.Random(1), 2, None)([]) == []
    assert pick_seeded(random.Random(1), None, 0.5)([]) == []


# --- SpotCapacity.claim ----------------------------------------------------------------------


@dataclass
class FakePlan:
    topology: Topology


@dataclass
class FakeEvents:
    events: list[Event] = field(default_factory=list)

    def emit(self, event: Event) -> None:
        self.events.append(event)


@dataclass
class FakeBackend:
    stopped: list[tuple[str, float]] = field(default_factory=list)
    killed: list[str] = field(default_factory=list)

    def stop(self, handle: str, grace_s: float) -> bool:
        self.stopped.append((handle, grace_s))
        return False

    def kill(self, handle: str) -> None:
        self.killed.append(handle)


@dataclass
class FakeStack:
    """What SpotCapacity reads of a running stack."""

    plan: FakePlan
    events: FakeEvents = field(default_factory=FakeEvents)
    backend: FakeBackend = field(default_factory=FakeBackend)
    restarted: list[str] = field(default_factory=list)
    t: float = 50.0

    @property
    def handles(self) -> dict[str, str]:
        return {i.name: f"h-{i.name}" for i in self.plan.topology.instances}

    def clock(self) -> float:
        return self.t

    def restart_all(self, instances: list[InstancePlan]) -> None:
        self.restarted += [i.name for i in instances]


def launched(fake: FakeStack, timeout: float = 5.0) -> None:
    """Wait until the replacement thread has restarted something (stop() would cancel it)."""
    deadline = time.monotonic() + timeout
    while not fake.restarted and time.monotonic() < deadline:
        time.sleep(0.01)


def two_region_topology() -> Topology:
    stack = Stack.model_validate(
        {
            "architecture": "active-active",
            "regions": [
                {"name": "a", "inference": {"replicas": 3, "spot": 2}},
                {"name": "b", "inference": {"replicas": 2, "spot": 1}},
            ],
        }
    )
    return resolve_topology(stack)


def capacity_of(tmp_path: Path, capacity: str = "spot") -> tuple[SpotCapacity, FakeStack]:
    fake = FakeStack(FakePlan(two_region_topology()))
    stack: Any = fake
    return (
        SpotCapacity(stack, MetadataFiles(tmp_path / "metadata"), ReplacementPolicy(capacity, 0.0)),
        fake,
    )


def take_all(free: list[InstancePlan]) -> list[InstancePlan]:
    return list(free)


def test_claim_takes_only_spot_instances_of_the_target(tmp_path: Path) -> None:
    spot, _ = capacity_of(tmp_path)
    assert names(spot.claim(TargetSelector(region="a"), take_all)) == [
        "inference-a-1",
        "inference-a-2",
    ]


def test_claim_skips_instances_already_claimed(tmp_path: Path) -> None:
    spot, _ = capacity_of(tmp_path)
    first = spot.claim(TargetSelector(), pick_seeded(random.Random(3), 1, None))
    rest = names(spot.claim(TargetSelector(), take_all))
    assert len(first) == 1
    assert first[0].name not in rest
    assert sorted(rest + names(first)) == ["inference-a-1", "inference-a-2", "inference-b-1"]
    assert spot.claim(TargetSelector(), take_all) == []  # everything is claimed now


def test_claim_of_an_on_demand_instance_is_empty(tmp_path: Path) -> None:
    spot, _ = capacity_of(tmp_path)
    assert spot.claim(TargetSelector(instance="inference-a-0"), take_all) == []


def test_release_makes_an_instance_claimable_again(tmp_path: Path) -> None:
    spot, _ = capacity_of(tmp_path)
    (inst,) = spot.claim(TargetSelector(instance="inference-b-1"), take_all)
    spot.metadata.publish(inst.name, Notice("aws", None, 1.0, 2.0))
    assert spot.claim(TargetSelector(instance="inference-b-1"), take_all) == []
    spot.release(inst)
    assert not spot.metadata.path(inst.name).exists()  # the notice is withdrawn
    assert names(spot.claim(TargetSelector(instance="inference-b-1"), take_all)) == [inst.name]


def test_an_on_demand_replacement_is_no_longer_spot(tmp_path: Path) -> None:
    spot, fake = capacity_of(tmp_path, capacity="on_demand")
    (inst,) = spot.claim(TargetSelector(instance="inference-a-2"), take_all)
    spot.terminate(inst, "crunch", 1.0, "on_demand")
    launched(fake)
    spot.stop()
    assert fake.backend.stopped == [("h-inference-a-2", 1.0)]
    assert fake.restarted == ["inference-a-2"]
    kinds = [type(e) for e in fake.events.events]
    assert kinds == [InstancePreempted, ReplacementStarted]
    started = fake.events.events[1]
    assert isinstance(started, ReplacementStarted)
    assert (started.pricing, started.instance_type) == ("on_demand", None)
    assert spot.pricing["inference-a-2"] == "on_demand"
    assert spot.claim(TargetSelector(region="a"), take_all) == [
        i for i in fake.plan.topology.instances if i.name == "inference-a-1"
    ]


def test_a_spot_replacement_can_be_preempted_again(tmp_path: Path) -> None:
    spot, fake = capacity_of(tmp_path)
    (inst,) = spot.claim(TargetSelector(instance="inference-a-2"), take_all)
    spot.terminate(inst, "crunch", 0.0, "spot")  # grace 0: killed outright
    launched(fake)
    spot.stop()
    assert fake.backend.killed == ["h-inference-a-2"]
    preempted = fake.events.events[0]
    assert isinstance(preempted, InstancePreempted) and preempted.forced
    assert names(spot.claim(TargetSelector(instance="inference-a-2"), take_all)) == [inst.name]


def test_no_capacity_launches_nothing(tmp_path: Path) -> None:
    spot, fake = capacity_of(tmp_path)
    (inst,) = spot.claim(TargetSelector(instance="inference-b-1"), take_all)
    spot.terminate(inst, "crunch", 1.0, "none")
    spot.stop()
    assert [type(e) for e in fake.events.events] == [InstancePreempted, NoCapacity]
    assert fake.restarted == []


def test_a_replacement_that_fails_to_start_is_reported(tmp_path: Path) -> None:
    spot, fake = capacity_of(tmp_path)

    def broken(instances: list[InstancePlan]) -> None:
        fake.restarted += [i.name for i in instances]
        raise RuntimeError("port taken")

    fake.restart_all = broken  # type: ignore[method-assign]
    (inst,) = spot.claim(TargetSelector(instance="inference-b-1"), take_all)
    spot.terminate(inst, "crunch", 1.0, "spot")
    launched(fake)
    spot.stop()
    last = fake.events.events[-1]
    assert isinstance(last, NoCapacity) and "port taken" in last.reason
