"""A fault kind registered after import, from this file, is a kind like the shipped ones.

It validates, its field errors are located inside its entry, its own check runs, an unknown
kind's "did you mean" knows it, and `harness schema` lists it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest
from pydantic import Field

from harness.cli import main
from harness.errors import ScenarioError
from harness.faults import FAULTS, Fault, FaultContext, register_fault
from harness.scenario.loader import load_scenario
from harness.scenario.types import CheckContext, FaultSpecBase, SpecIssue


class HumSpec(FaultSpecBase):
    """Hum at `volume` on the target."""

    kind: Literal["hum"]
    volume: int = Field(ge=1, description="how loud")

    def check(self, ctx: CheckContext) -> list[SpecIssue]:
        if self.volume > 10:
            return [(("volume",), f"volume {self.volume} is past 10", "turn it down")]
        return []


@dataclass(eq=False)
class HumFault(Fault[HumSpec]):
    humming: list[int] = field(default_factory=list, init=False)

    def inject(self, ctx: FaultContext) -> None:
        self.humming.append(self.spec.volume)

    def revert(self, ctx: FaultContext) -> None:
        self.humming.clear()


SCENARIO = """\
name: hum
stack:
  architecture: single-region
  regions:
    - name: us-east-1
load:
  rate: 20
  phases: {baseline: 10s, fault: 20s, recovery: 10s}
faults:
  - kind: hum
    volume: 3
    at: 12s
    duration: 5s
"""


@pytest.fixture(autouse=True)
def hum(scratch_registry: None) -> None:
    """Registered after every harness module was imported (and forgotten after the test)."""
    register_fault(HumFault)


def errors_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [e.render().replace(str(path), "s.yaml") for e in info.value.errors]


def test_a_late_kind_validates(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    scenario, _ = load_scenario(path)
    assert isinstance(scenario.faults[0], HumSpec)
    assert scenario.faults[0].volume == 3


def test_its_field_errors_are_located_in_its_entry(tmp_path: Path) -> None:
    assert errors_of(tmp_path, SCENARIO.replace("volume: 3", "volume: loud")) == [
        "s.yaml:11:13: faults.0.volume: Input should be a valid integer, "
        "unable to parse string as an integer"
    ]
    assert errors_of(tmp_path, SCENARIO.replace("volume: 3", "volum: 3")) == [
        "s.yaml:10:5: missing required key 'volume' in faults.0",
        "s.yaml:11:5: unknown key 'volum'\n  hint: did you mean 'volume'?",
    ]
    assert errors_of(tmp_path, SCENARIO.replace("    volume: 3\n", "")) == [
        "s.yaml:10:5: missing required key 'volume' in faults.0"
    ]


def test_its_own_check_is_located(tmp_path: Path) -> None:
    assert errors_of(tmp_path, SCENARIO.replace("volume: 3", "volume: 11")) == [
        "s.yaml:11:13: volume 11 is past 10\n  hint: turn it down"
    ]


def test_an_unknown_kind_suggests_it(tmp_path: Path) -> None:
    assert errors_of(tmp_path, SCENARIO.replace("kind: hum", "kind: humm")) == [
        "s.yaml:10:11: unknown fault kind 'humm' (known: corrupt_data, hum, latency, partition, "
        "region_outage, spot_preemption); did you mean 'hum'?"
    ]


def test_harness_schema_lists_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    faults = schema["properties"]["faults"]["items"]
    assert faults["discriminator"]["mapping"]["hum"] == "#/$defs/HumSpec"
    hum = schema["$defs"]["HumSpec"]
    assert hum["properties"]["volume"]["description"] == "how loud"
    assert hum["properties"]["kind"]["const"] == "hum"
    assert set(faults["discriminator"]["mapping"]) == set(FAULTS.kinds())
