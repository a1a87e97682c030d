"""The plan: time scale applied to schedule times only, topology named, rng derived by name."""

from __future__ import annotations

from pathlib import Path

from harness.scenario.loader import load_scenario
from harness.scenario.plan import make_plan

ROOT = Path(__file__).resolve().parents[3]


def test_time_scale_shrinks_schedule_not_latencies() -> None:
    scenario, _ = load_scenario(ROOT / "scenarios" / "latency-spike.yaml")
    plan = make_plan(scenario, time_scale=0.1)
    full = make_plan(scenario)
    assert plan.duration_s == full.duration_s * 0.1
    assert plan.faults[0].at == full.faults[0].at * 0.1
    assert plan.gateway.interval_s == full.gateway.interval_s * 0.1
    assert plan.gateway.per_request_timeout_s == full.gateway.per_request_timeout_s
    assert plan.faults[0].spec.latency == full.faults[0].spec.latency  # type: ignore[attr-defined]
    assert plan.stabilisation_s == full.stabilisation_s * 0.1


def test_topology_names_instances_and_links() -> None:
    scenario, _ = load_scenario(ROOT / "scenarios" / "regional-outage.yaml")
    topo = make_plan(scenario).topology
    assert [i.name for i in topo.inference()] == [
        "inference-us-east-1-0",
        "inference-us-east-1-1",
        "inference-eu-west-1-0",
        "inference-eu-west-1-1",
    ]
    assert topo.links[0].name == "gateway-to-inference-us-east-1-0"


def test_seed_override_and_derived_rngs() -> None:
    scenario, _ = load_scenario(ROOT / "scenarios" / "regional-outage.yaml")
    a, b = make_plan(scenario, seed=5), make_plan(scenario, seed=5)
    assert a.seed == 5
    assert a.rng("x").random() == b.rng("x").random() != a.rng("y").random()
