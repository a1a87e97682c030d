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
