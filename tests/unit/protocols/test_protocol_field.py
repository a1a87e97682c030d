"""The `protocol:` field as `harness validate` reports it."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import ScenarioError
from harness.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[3]


def scenario_with(tmp_path: Path, protocol: str) -> Path:
    text = (ROOT / "scenarios" / "regional-outage.yaml").read_text()
    assert "inference: {replicas: 2}" in text
    path = tmp_path / "s.yaml"
    path.write_text(
        text.replace(
            "inference: {replicas: 2}", f"inference: {{replicas: 2, protocol: {protocol}}}"
        )
    )
    return path


def test_open_inference_v2_without_model_names_the_field(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(scenario_with(tmp_path, "{kind: open-inference-v2}"))
    text = err.value.render()
    assert "missing required key 'model'" in text and "inference.protocol" in text


def test_unknown_kind_says_did_you_mean(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(scenario_with(tmp_path, "mlfow"))
    assert "unknown protocol kind 'mlfow'" in err.value.render()
    assert "did you mean 'mlflow'?" in err.value.render()


def test_a_protocol_with_its_settings_loads(tmp_path: Path) -> None:
    scenario, _ = load_scenario(scenario_with(tmp_path, "{kind: tfserving, model: bc}"))
    protocol = scenario.stack.regions[0].inference.protocol
    assert protocol.request_path() == "/v1/models/bc:predict"


def test_every_region_must_speak_the_first_region_s_protocol(tmp_path: Path) -> None:
    text = (ROOT / "scenarios" / "regional-outage.yaml").read_text()
    own = "inference: {replicas: 2, protocol: {kind: open-inference-v2, model: bc}}"
    path = tmp_path / "s.yaml"
    path.write_text(text.replace("inference: {replicas: 2}", own, 1))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    text = err.value.render()
    assert ":15:" in text  # the second region's line
    assert "speaks harness ({})" in text
    assert "speaks open-inference-v2 ({'model': 'bc'})" in text


def test_a_one_row_template_needs_batch_size_1(tmp_path: Path) -> None:
    protocol = '{kind: http-json, path: /score, request: {x: "{row}"}}'
    path = scenario_with(tmp_path, protocol)
    path.write_text(path.read_text().replace("load:\n", "load:\n  batch_size: 4\n", 1))
    with pytest.raises(ScenarioError, match="batch_size must be 1"):
        load_scenario(path)
