"""Spot capacity in scenarios: bad input named at file:line:col, presets, rounding, time scale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.errors import ScenarioError
from harness.faults.spot_preemption import SpotPreemptionSpec
from harness.scenario.loader import load_scenario
from harness.scenario.model import InferenceSpec, Scenario, Stack
from harness.scenario.plan import make_plan
from harness.scenario.topology import resolve_topology

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = ROOT / "scenarios" / "spot-preemption.yaml"

# Line numbers matter: the error tests below name them.
BASE = """\
name: sp
seed: 7
stack:
  architecture: active-active
  instance_types:
    g5.xlarge: {price: 1.0, spot_discount: 0.6}
    c6i.large: {price: 0.1}
  default_instance_type: c6i.large
  regions:
    - name: us-east-1
      inference: {replicas: 3, instance_type: g5.xlarge, spot: 0.7}
    - name: eu-west-1
      inference: {replicas: 2, instance_type: g5.xlarge}
load:
  rate: 10
  phases: {baseline: 30s, fault: 250s, recovery: 60s}
faults:
  - kind: spot_preemption
    name: crunch
    target: {region: us-east-1}
    count: 1
    at: 40s
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return path


def load_text(tmp_path: Path, text: str) -> Scenario:
    scenario, _ = load_scenario(write(tmp_path, text))
    return scenario


def errors_of(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [e.render().replace(str(path), "s.yaml") for e in info.value.errors]


def stack_of(**fields: Any) -> Stack:
    data: dict[str, Any] = {
        "architecture": "single-region",
        "regions": [{"name": "r1", "inference": {"replicas": 3, "spot": 2}}],
    }
    data.update(fields)
    return Stack.model_validate(data)


def fault_of(**fields: Any) -> SpotPreemptionSpec:
    return SpotPreemptionSpec.model_validate({"kind": "spot_preemption", "at": 40.0, **fields})


def test_base_fixture_is_valid(tmp_path: Path) -> None:
    scenario = load_text(tmp_path, BASE)
    assert scenario.faults[0].kind == "spot_preemption"


# --- bad input: each names its place and says what is wrong ---------------------------------


def test_spot_fraction_above_one(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, BASE.replace("spot: 0.7", "spot: 1.5"))
    assert errors == [
        "s.yaml:11:64: stack.regions.0.inference.spot: spot fraction 1.5 is outside 0..1; "
        "give a fraction like 0.7 or a count like 2"
    ]


def test_spot_count_above_replicas(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, BASE.replace("spot: 0.7", "spot: 4"))
    assert errors == [
        "s.yaml:11:64: stack.regions.0.inference.spot: spot count 4 is more than the 3 replicas"
    ]


def test_negative_spot_count(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, BASE.replace("spot: 0.7", "spot: -1"))
    assert errors == ["s.yaml:11:64: stack.regions.0.inference.spot: spot count -1 is negative"]


def test_target_on_demand_instance_lists_the_spot_ones(tmp_path: Path) -> None:
    text = BASE.replace("target: {region: us-east-1}", "target: {instance: inference-us-east-1-0}")
    errors = errors_of(tmp_path, text)
    assert errors == [
        "s.yaml:20:24: inference-us-east-1-0 is an on_demand instance: only spot instances "
        "can be preempted\n"
        "  hint: spot instances: inference-us-east-1-1, inference-us-east-1-2"
    ]


def test_target_region_without_spot_instances(tmp_path: Path) -> None:
    text = BASE.replace("target: {region: us-east-1}", "target: {region: eu-west-1}")
    errors = errors_of(tmp_path, text)
    assert len(errors) == 1
    assert errors[0].startswith(
        "s.yaml:20:13: no spot instance matches the target (region=eu-west-1)"
    )
    assert "hint: give the region some spot capacity" in errors[0]


def test_count_above_the_targets_spot_instances(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, BASE.replace("count: 1", "count: 3"))
    assert errors == ["s.yaml:21:12: count 3 is more than the 2 spot instances of the target"]


def test_target_typo_is_one_error_not_a_count_error_too(tmp_path: Path) -> None:
    # The region does not exist: the generic target check says so. Counting the spot instances
    # of a target that matches nothing is a consequence of that error, not a second problem.
    text = BASE.replace("target: {region: us-east-1}", "target: {region: us-east-2}")
    errors = errors_of(tmp_path, text)
    assert errors == [
        "s.yaml:20:22: no region named 'us-east-2' in the stack\n"
        "  hint: did you mean 'us-east-1'? (known: us-east-1, eu-west-1)"
    ]


def test_notice_past_the_end_of_the_run_is_one_error(tmp_path: Path) -> None:
    text = BASE.replace(
        "phases: {baseline: 30s, fault: 250s, recovery: 60s}",
        "phases: {baseline: 10s, fault: 40s, recovery: 10s}",
    ).replace("at: 40s", "at: 20s\n    notice: 10m")
    errors = errors_of(tmp_path, text)
    assert len(errors) == 1  # no generic "fault outlasts the run" beside it
    assert errors[0].startswith("s.yaml:23:13: the notice (10m, aws) runs past the end of the run")
    assert "notice at 20s" in errors[0]
    assert "the run ends at 1m" in errors[0]


def test_preset_notice_past_the_end_points_at_the_fault(tmp_path: Path) -> None:
    text = BASE.replace(
        "phases: {baseline: 30s, fault: 250s, recovery: 60s}",
        "phases: {baseline: 10s, fault: 40s, recovery: 10s}",
    ).replace("at: 40s", "at: 20s")
    errors = errors_of(tmp_path, text)
    assert len(errors) == 1
    assert errors[0].startswith("s.yaml:18:5: the notice (2m, aws) runs past the end of the run")


def test_duration_is_refused(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, BASE.replace("at: 40s", "at: 40s\n    duration: 30s"))
    assert errors == [
        "s.yaml:23:15: spot_preemption takes no duration: it follows from its notice, grace "
        "and waves\n  hint: remove duration (set notice, grace, waves instead)"
    ]


def test_rebalance_on_gcp_is_refused(tmp_path: Path) -> None:
    errors = errors_of(
        tmp_path, BASE.replace("at: 40s", "at: 40s\n    provider: gcp\n    rebalance: 10s")
    )
    assert errors == [
        "s.yaml:24:16: gcp has no rebalance recommendation (only aws does)\n"
        "  hint: remove rebalance"
    ]


def test_rebalance_on_a_gcp_stack_is_refused(tmp_path: Path) -> None:
    text = BASE.replace("load:", "  spot: {provider: gcp}\nload:").replace(
        "at: 40s", "at: 40s\n    rebalance: 10s"
    )
    errors = errors_of(tmp_path, text)
    assert len(errors) == 1
    assert errors[0].startswith("s.yaml:24:16: gcp has no rebalance recommendation")


def test_count_and_fraction_both(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, BASE.replace("count: 1", "count: 1\n    fraction: 0.5"))
    assert errors == ["s.yaml:18:5: faults.0: give count or fraction, not both"]


def test_instance_type_without_a_price(tmp_path: Path) -> None:
    text = BASE.replace("instance_type: g5.xlarge, spot: 0.7", "instance_type: g5.xlarg, spot: 0.7")
    errors = errors_of(tmp_path, text)
    assert errors == [
        "s.yaml:11:47: instance type 'g5.xlarg' has no price in stack.instance_types\n"
        "  hint: did you mean 'g5.xlarge'? (known: g5.xlarge, c6i.large)"
    ]


def test_default_instance_type_without_a_price(tmp_path: Path) -> None:
    text = BASE.replace("default_instance_type: c6i.large", "default_instance_type: c6i.larg")
    errors = errors_of(tmp_path, text)
    assert len(errors) == 1
    assert errors[0].startswith("s.yaml:8:26: instance type 'c6i.larg' has no price")
    assert "did you mean 'c6i.large'?" in errors[0]


# --- valid input -----------------------------------------------------------------------------


def test_shipped_scenario_loads() -> None:
    scenario, _ = load_scenario(SHIPPED)
    topo = resolve_topology(scenario.stack)
    assert [i.name for i in topo.spot_instances()] == [
        "inference-us-east-1-1",
        "inference-us-east-1-2",
        "inference-eu-west-1-1",
        "inference-eu-west-1-2",
    ]
    fault = scenario.faults[0]
    assert isinstance(fault, SpotPreemptionSpec)
    assert (fault.count, fault.waves.count, fault.waves.every) == (2, 2, 100.0)


@pytest.mark.parametrize(
    ("spot", "expected"),
    [(0.7, 2), (0.5, 2), (0, 0), (0.0, 0), (1.0, 3), (2, 2), (3, 3), (0.1, 0)],
)
def test_spot_count_rounds_half_up(spot: float, expected: int) -> None:
    assert InferenceSpec(replicas=3, spot=spot).spot_count() == expected


def test_topology_marks_the_last_replicas_spot_and_carries_types() -> None:
    stack = stack_of(
        architecture="active-active",
        instance_types={"g5.xlarge": {"price": 1.0}, "c6i.large": {"price": 0.1}},
        default_instance_type="c6i.large",
        regions=[
            {"name": "a", "inference": {"replicas": 3, "instance_type": "g5.xlarge", "spot": 0.7}},
            {"name": "b", "inference": {"replicas": 2, "spot": 1}},
        ],
    )
    topo = resolve_topology(stack)
    got = [(i.name, i.pricing, i.instance_type) for i in topo.inference()]
    assert got == [
        ("inference-a-0", "on_demand", "g5.xlarge"),
        ("inference-a-1", "spot", "g5.xlarge"),
        ("inference-a-2", "spot", "g5.xlarge"),
        ("inference-b-0", "on_demand", "c6i.large"),  # no type of its own: the default
        ("inference-b-1", "spot", "c6i.large"),
    ]
    gateway = topo.instance_named("gateway")
    assert gateway is not None
    assert (gateway.pricing, gateway.instance_type, gateway.spot) == (
        "on_demand",
        "c6i.large",
        False,
    )
    assert [i.name for i in topo.spot_instances()] == [
        "inference-a-1",
        "inference-a-2",
        "inference-b-1",
    ]


def test_resolve_fills_the_aws_preset_and_computes_the_duration() -> None:
    spec = fault_of(rebalance=10.0, waves={"count": 3, "every": 50.0}).resolve(stack_of())
    assert (spec.provider, spec.notice, spec.grace) == ("aws", 120.0, 10.0)
    assert spec.duration == pytest.approx(2 * 50.0 + 10.0 + 120.0 + 10.0)
    assert spec.rebalance == 10.0


def test_resolve_single_wave_without_rebalance() -> None:
    spec = fault_of().resolve(stack_of())
    assert spec.duration == pytest.approx(130.0)


@pytest.mark.parametrize(
    ("provider", "notice", "grace"),
    [("aws", 120.0, 10.0), ("gcp", 30.0, 30.0), ("azure", 30.0, 0.0)],
)
def test_presets_of_the_stacks_cloud(provider: str, notice: float, grace: float) -> None:
    spec = fault_of().resolve(stack_of(spot={"provider": provider}))
    assert (spec.provider, spec.notice, spec.grace) == (provider, notice, grace)
    assert spec.duration == pytest.approx(notice + grace)


def test_the_faults_own_provider_wins_over_the_stacks() -> None:
    spec = fault_of(provider="azure").resolve(stack_of(spot={"provider": "gcp"}))
    assert (spec.provider, spec.notice, spec.grace) == ("azure", 30.0, 0.0)


def test_per_fault_notice_and_grace_override_the_preset() -> None:
    spec = fault_of(notice="45s", grace="3s", provider="gcp").resolve(stack_of())
    assert (spec.provider, spec.notice, spec.grace) == ("gcp", 45.0, 3.0)
    assert spec.duration == pytest.approx(48.0)


def test_scaled_shrinks_every_time() -> None:
    spec = fault_of(rebalance=10.0, waves={"count": 2, "every": 100.0}).resolve(stack_of())
    small = spec.scaled(0.1)
    assert small.at == pytest.approx(4.0)
    assert small.duration == pytest.approx(24.0)
    assert small.notice == pytest.approx(12.0)
    assert small.grace == pytest.approx(1.0)
    assert small.rebalance == pytest.approx(1.0)
    assert small.waves.every == pytest.approx(10.0)
    assert small.waves.count == 2


def test_make_plan_scales_spot_settings_and_the_fault() -> None:
    scenario, _ = load_scenario(SHIPPED)
    full = make_plan(scenario)
    plan = make_plan(scenario, time_scale=0.1)
    assert full.spot.notice_poll_s == pytest.approx(5.0)
    assert plan.spot.notice_poll_s == pytest.approx(0.5)
    assert full.spot.replacement_delay_s == pytest.approx(30.0)
    assert plan.spot.replacement_delay_s == pytest.approx(3.0)
    assert (plan.spot.provider, plan.spot.replacement_capacity) == ("aws", "spot")
    # at 40 s; (2 − 1) × 100 + 10 rebalance + 120 notice + 10 grace = 240 s
    assert full.faults[0].end == pytest.approx(280.0)
    assert plan.faults[0].at == pytest.approx(4.0)
    assert plan.faults[0].end == pytest.approx(28.0)
    spec = plan.faults[0].spec
    assert isinstance(spec, SpotPreemptionSpec)
    assert spec.notice == pytest.approx(12.0)
    assert spec.grace == pytest.approx(1.0)


def test_spot_true_is_not_silently_one_instance(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, BASE.replace("spot: 0.7", "spot: true"))
    assert len(errors) == 1 and "not true/false" in errors[0], errors
