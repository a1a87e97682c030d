"""`harness validate` on an own inference service: placeholders, files, retrain, at the YAML line."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import ScenarioError
from harness.scenario.loader import load_scenario

# Line numbers matter: the tests below name them.
SCENARIO = """\
name: own
stack:
  architecture: active-passive
  regions:
    - name: a
      inference:
        command: ["python", "serve.py", "--port", "{prot}"]
        env: {GRPC: "{port:grpc}", META: "{sidecar:metdata}", X: "{mount:model}"}
    - name: b
load:
  rate: 10
  phases: {baseline: 10s, fault: 20s, recovery: 10s}
"""


def errors_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "own.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [e.render().replace(str(tmp_path), "T") for e in info.value.errors]


def test_unknown_placeholders_are_named_at_their_line_with_did_you_mean(tmp_path: Path) -> None:
    assert errors_of(tmp_path, SCENARIO) == [
        "T/own.yaml:7:51: unknown placeholder {prot}\n"
        "  hint: did you mean '{port}'? (known: {port}, {host}, {scenario_dir}, {instance}, "
        "{region}, {venv}, {port:NAME}, {sidecar:NAME}, {mount:NAME}); "
        "write {{ for a literal brace",
        "T/own.yaml:8:42: unknown placeholder {sidecar:metdata}\n"
        "  hint: did you mean '{sidecar:metadata}'? (known: {sidecar:metadata})",
        "T/own.yaml:8:66: unknown placeholder {mount:model}\n"
        "  hint: did you mean '{mount:metadata}'? (known: {mount:scenario}, {mount:metadata})",
    ]


def test_known_placeholders_and_literal_braces_validate(tmp_path: Path) -> None:
    text = SCENARIO.replace("{prot}", "{port}").replace("metdata", "metadata")
    text = text.replace("{mount:model}", "{{not: a placeholder}}")
    path = tmp_path / "own.yaml"
    path.write_text(text)
    scenario, _ = load_scenario(path)
    assert scenario.stack.regions[0].inference.own


def test_a_missing_build_folder_dockerfile_and_requirements_file_are_errors(
    tmp_path: Path,
) -> None:
    (tmp_path / "empty").mkdir()
    text = SCENARIO.replace(
        '        command: ["python", "serve.py", "--port", "{prot}"]\n'
        '        env: {GRPC: "{port:grpc}", META: "{sidecar:metdata}", X: "{mount:model}"}\n',
        "        build: empty\n        requirements: req.txt\n"
        "    - name: c\n      inference: {build: nowhere}\n",
    )
    assert errors_of(tmp_path, text) == [
        "T/own.yaml:7:16: build folder T/empty has no Dockerfile\n  hint: add one, or give image:",
        "T/own.yaml:8:23: requirements file T/req.txt does not exist\n"
        "  hint: a relative path is relative to the scenario file's folder",
        "T/own.yaml:10:26: build folder T/nowhere does not exist\n"
        "  hint: a relative path is relative to the scenario file's folder",
    ]


def test_retrain_with_an_own_inference_service_is_an_error(tmp_path: Path) -> None:
    text = SCENARIO.replace("{prot}", "{port}").replace("metdata", "metadata")
    text = text.replace(', X: "{mount:model}"', "")
    text = text.replace("    - name: b\n", "    - name: b\n  pipeline:\n    retrain: {every: 5s}\n")
    assert errors_of(tmp_path, text) == [
        "T/own.yaml:11:14: retrain cannot feed your own inference service (region a): it "
        "publishes ONNX models for the reference inference service only\n"
        "  hint: remove pipeline.retrain (the pipeline's ingest and replication still run)",
    ]
