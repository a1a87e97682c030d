"""Bad input found by fuzzing the loader: each is a located error, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import ScenarioError
from harness.scenario.loader import load_scenario

# Line numbers matter: the tests below name them.
VALID = """\
name: demo
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
"""


def errors_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [e.render().replace(str(path), "s.yaml") for e in info.value.errors]


@pytest.mark.parametrize("kind", ["{}", "[region_outage]", "{a: 1}"])
def test_a_fault_kind_that_is_not_a_name(tmp_path: Path, kind: str) -> None:
    errors = errors_of(tmp_path, VALID.replace("kind: region_outage", f"kind: {kind}"))
    assert errors[0].startswith("s.yaml:11:11: a fault kind is a name, e.g. 'region_outage'")
    assert "hint: known kinds: corrupt_data, latency" in errors[0]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!foo x", "s.yaml:1:7: invalid YAML value: could not determine a constructor for the tag"),
        ("!!float x", "s.yaml:1:7: invalid YAML value: could not convert string to float"),
        ("!!binary é", "s.yaml:1:7: invalid YAML value: failed to convert base64 data"),
    ],
)
def test_a_value_the_safe_loader_cannot_build(tmp_path: Path, value: str, message: str) -> None:
    errors = errors_of(tmp_path, VALID.replace("name: demo", f"name: {value}"))
    assert errors[0].startswith(message)
    assert "hint: write a plain value, without a tag" in errors[0]


@pytest.mark.parametrize(("key", "what"), [("[a]", "a list"), ("{a: 1}", "a mapping")])
def test_a_key_that_is_a_list_or_a_mapping(tmp_path: Path, key: str, what: str) -> None:
    errors = errors_of(tmp_path, VALID.replace("  rate: 20", f"  {key}: 20"))
    assert errors == [f"s.yaml:8:3: a key must be a name, not {what}"]


def test_a_control_character_names_its_line(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, VALID.replace("rate: 20", "rate: 2\x070"))
    assert errors == [
        "s.yaml:8:10: invalid YAML: unacceptable character #x0007: "
        "special characters are not allowed"
    ]


def test_a_file_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(VALID.replace("name: demo", "name: d\xe9mo").encode("latin-1"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.render().startswith(f"{path}:1:8: invalid YAML: the file is not UTF-8")


def test_a_merge_key_brings_in_the_anchored_mapping(tmp_path: Path) -> None:
    text = VALID.replace(
        "    at: 12s\n    duration: 5s\n", "    <<: &times {at: 12s, duration: 5s}\n"
    )
    text += "  - kind: latency\n    latency: 100ms\n    <<: *times\n    duration: 3s\n"
    path = tmp_path / "s.yaml"
    path.write_text(text)
    scenario, _ = load_scenario(path)
    first, second = scenario.faults
    assert (first.at, first.duration) == (12.0, 5.0)
    assert (second.at, second.duration) == (12.0, 3.0)  # a key of its own wins over the merge


def test_a_merge_of_something_else_than_a_mapping(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, VALID.replace("    at: 12s", "    <<: 12s\n    at: 12s"))
    assert errors == [
        "s.yaml:13:9: a merge key (<<) takes a mapping or a list of mappings\n"
        "  hint: anchor a mapping (&name {...}) and merge it with <<: *name"
    ]
