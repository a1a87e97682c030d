"""Loader errors: each class of bad input is reported with its exact file:line:col and message."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import ScenarioError
from harness.scenario.loader import load_scenario

VALID = """\
name: demo
seed: 3
stack:
  architecture: active-passive
  regions:
    - name: us-east-1
    - name: eu-west-1
load:
  rate: 20
  phases: {baseline: 10s, fault: 20s, recovery: 10s}
faults:
  - kind: region_outage
    target: {region: us-east-1}
    at: 12s
    duration: 5s
slos:
  - metric: availability
    objective: ">= 99%"
"""


def load_text(tmp_path: Path, text: str) -> ScenarioError:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value


def errors_of(tmp_path: Path, text: str) -> list[str]:
    err = load_text(tmp_path, text)
    return [e.render().replace(str(tmp_path / "s.yaml"), "s.yaml") for e in err.errors]


def test_valid_scenario_loads(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(VALID)
    scenario, _ = load_scenario(path)
    assert scenario.faults[0].at == 12.0
    assert scenario.slos[0].objective.value == pytest.approx(0.99)


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, "name: x\nstack: [a, b\nload: 1\n")
    assert errors[0].startswith("s.yaml:3:5: invalid YAML: expected ',' or ']'")


def test_unknown_key_with_suggestion(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, VALID.replace("  rate: 20", "  rate: 20\n  rat: 5"))
    assert errors == ["s.yaml:10:3: unknown key 'rat'\n  hint: did you mean 'rate'?"]


def test_wrong_type(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, VALID.replace("rate: 20", "rate: fast"))
    assert errors == [
        (
            "s.yaml:9:9: load.rate: Input should be a valid number, "
            "unable to parse string as a number"
        )
    ]


def test_negative_duration(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, VALID.replace("duration: 5s", "duration: -5s"))
    assert errors == ["s.yaml:15:15: faults.0.duration: duration must not be negative, got '-5s'"]


def test_unknown_fault_kind_suggests(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, VALID.replace("kind: region_outage", "kind: region_outag"))
    assert errors == [
        (
            "s.yaml:12:11: unknown fault kind 'region_outag' (known: corrupt_data, latency, "
            "partition, region_outage, spot_preemption); did you mean 'region_outage'?"
        )
    ]


def test_fault_targets_missing_region(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, VALID.replace("{region: us-east-1}", "{region: us-east-2}"))
    assert errors == [
        (
            "s.yaml:13:22: no region named 'us-east-2' in the stack\n"
            "  hint: did you mean 'us-east-1'? (known: us-east-1, eu-west-1)"
        )
    ]


def test_fault_outlasting_the_run(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, VALID.replace("duration: 5s", "duration: 60s"))
    assert errors == [
        (
            "s.yaml:15:15: fault outlasts the run: it ends at 72s, the run ends at 40s\n"
            "  hint: shorten it or lengthen load.phases"
        )
    ]


def test_fault_in_baseline(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, VALID.replace("at: 12s", "at: 2s"))
    assert errors == [
        (
            "s.yaml:14:9: fault starts at 2s, inside the baseline phase (0–10s)\n"
            "  hint: start it at 10s or later"
        )
    ]


def test_all_errors_reported_at_once_sorted(tmp_path: Path) -> None:
    text = VALID.replace("rate: 20", "rate: -1").replace("seed: 3", "seed: 3\nextra: 1")
    errors = errors_of(tmp_path, text)
    assert [e.split(":")[1] for e in errors] == ["3", "10"]
    assert "2 errors found" in load_text(tmp_path, text).render()


def test_missing_required_key(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, VALID.replace("  rate: 20\n", ""))
    assert errors == ["s.yaml:9:3: missing required key 'rate' in load"]


def test_duplicate_key(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, VALID.replace("seed: 3", "seed: 3\nseed: 4"))
    assert errors == [
        "s.yaml:3:1: duplicate key 'seed'\n  hint: each key may appear once in a mapping"
    ]


def test_objective_without_unit(tmp_path: Path) -> None:
    text = VALID + "  - metric: p99_latency\n    objective: '<= 300'\n"
    errors = errors_of(tmp_path, text)
    assert errors == [
        (
            "s.yaml:20:16: slos.1.objective: objective '<= 300' needs a time unit, "
            "e.g. '300ms' or '30s'"
        )
    ]


def test_literal_suggestion(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, VALID.replace("active-passive", "active-pasive"))
    assert errors[0].endswith("hint: did you mean 'active-passive'?")
    assert errors[0].startswith("s.yaml:4:17: stack.architecture:")


def test_active_passive_needs_two_regions(tmp_path: Path) -> None:
    text = VALID.replace("    - name: eu-west-1\n", "")
    errors = errors_of(tmp_path, text)
    assert errors == ["s.yaml:4:3: stack: architecture active-passive needs at least two regions"]


def test_not_a_mapping(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, "- a\n- b\n")
    assert errors[0].startswith("s.yaml:1:1: a scenario must be a YAML mapping")


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    from harness.errors import HarnessError

    with pytest.raises(HarnessError, match="cannot read scenario"):
        load_scenario(tmp_path / "nope.yaml")


def test_an_error_in_a_fault_whose_kind_is_also_a_field_name_points_at_that_field(
    tmp_path: Path,
) -> None:
    # The latency fault has a `latency` field: the union tag must not be read as that key.
    latency = VALID.replace(
        "  - kind: region_outage\n    target: {region: us-east-1}\n    at: 12s",
        "  - kind: latency\n    latency: 100ms\n    at: soon",
    )
    assert errors_of(tmp_path, latency) == [
        "s.yaml:14:9: faults.0.at: invalid duration 'soon': use a number with ms, s, m or h, "
        "e.g. '30s'"
    ]
