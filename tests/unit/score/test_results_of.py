"""The score step builds every section of the results from what the run recorded."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from harness.events import EventLog, FaultInjected, FaultReverted
from harness.execute import Execution
from harness.load.samples import Sample
from harness.results import Verdict
from harness.scenario.loader import load_scenario
from harness.scenario.plan import Plan, make_plan
from harness.score.results_of import RunMeta, results_of

SCENARIO = """\
name: s
description: one region, one outage
stack:
  architecture: single-region
  regions: [{name: r1}]
load:
  rate: 10
  phases: {baseline: 10s, fault: 10s, recovery: 10s}
faults:
  - {kind: region_outage, name: out, target: {region: r1}, at: 12s, duration: 4s}
scoring: {stabilisation: 2s}
slos:
  - {metric: availability, objective: ">= 80%"}
"""
START = dt.datetime(2026, 1, 29, 10, 15, tzinfo=dt.UTC)


@pytest.fixture()
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    return path


@pytest.fixture()
def plan(scenario_file: Path) -> Plan:
    return make_plan(load_scenario(scenario_file)[0], seed=3)


def _samples() -> list[Sample]:
    return [
        Sample(t, t + 0.01, not 12 <= t < 16, 200, 10.0)
        for t in (i / 10 for i in range(300))  # 10 req/s for 30 s, down from 12 s to 16 s
    ]


def _events() -> EventLog:
    log = EventLog()
    log.emit(FaultInjected(12.0, fault="out", fault_kind="region_outage", target="region r1"))
    log.emit(FaultReverted(16.0, fault="out"))
    return log


def _meta(scenario_file: Path, text: str) -> RunMeta:
    return RunMeta(
        run_id="s-1",
        backend="process",
        command="harness run s.yaml --seed 3",
        started_at=START,
        ended_at=START + dt.timedelta(seconds=31.5),
        scenario_file=str(scenario_file),
        scenario_text=text,
        out_dir=scenario_file.parent,
    )


def test_every_section_from_the_recorded_run(plan: Plan, scenario_file: Path) -> None:
    execution = Execution(_samples(), complete=True, incomplete_reason=None)
    results = results_of(plan, execution, _events(), _meta(scenario_file, SCENARIO))
    assert (results.run_id, results.backend, results.seed) == ("s-1", "process", 3)
    assert results.started_at == "2026-01-29T10:15:00+00:00"
    assert results.duration_s == 31.5
    assert results.scenario.description == "one region, one outage"
    assert results.verdict == Verdict.PASS
    assert [f.name for f in results.faults] == ["out"]
    assert results.faults[0].injected_at == 12.0
    assert results.totals.requests == 300
    assert [e.type for e in results.events] == ["FaultInjected", "FaultReverted"]
    assert results.timeline and results.integrity is None and results.drift is None


def test_scenario_text_is_the_text_that_was_parsed(plan: Plan, scenario_file: Path) -> None:
    scenario_file.write_text(SCENARIO + "# edited while the run went on\n")
    execution = Execution(_samples(), complete=True, incomplete_reason=None)
    results = results_of(plan, execution, _events(), _meta(scenario_file, SCENARIO))
    assert results.scenario.text == SCENARIO


def test_subscriber_errors_reach_the_results(plan: Plan, scenario_file: Path) -> None:
    events = _events()

    def broken(_event: object) -> None:
        raise RuntimeError("observer bug")

    events.subscribers.append(broken)
    events.emit(FaultInjected(20.0, fault="again", fault_kind="region_outage", target="r1"))
    execution = Execution(_samples(), complete=True, incomplete_reason=None)
    results = results_of(plan, execution, events, _meta(scenario_file, SCENARIO))
    assert results.subscriber_errors == 1
    assert json.loads(results.model_dump_json())["subscriber_errors"] == 1
