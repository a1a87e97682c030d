"""Scoring a constructed run: phases, faults, SLO verdicts, relative and time-scaled objectives."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.events import FaultInjected, FaultReverted
from harness.load.samples import Sample
from harness.results import Verdict
from harness.scenario.loader import load_scenario
from harness.scenario.plan import make_plan
from harness.score.scorer import score

SCENARIO = """\
name: s
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
  - {metric: p99_latency, objective: "<= 3x baseline", phase: recovery}
  - {metric: recovery_time, objective: "<= 5s"}
  - {metric: accuracy, objective: ">= 0.99", phase: baseline}
"""


def samples() -> list[Sample]:
    out = []
    for i in range(300):  # 10 req/s for 30 s; down from 12 s to 16 s; 10 ms, then 25 ms after
        t = i / 10
        ok = not 12 <= t < 16
        lat = 10.0 if t < 20 else 25.0
        out.append(
            Sample(
                t,
                t + lat / 1000,
                ok,
                200 if ok else 503,
                lat,
                label=1,
                predicted=1 if i % 10 else 0,
                correct=bool(i % 10),
            )
        )
    return out


@pytest.fixture()
def plan(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    return make_plan(load_scenario(path)[0])


def test_scores_and_verdicts(plan) -> None:  # type: ignore[no-untyped-def]
    events = [
        FaultInjected(12.0, fault="out", fault_kind="region_outage", target="region r1"),
        FaultReverted(16.0, fault="out"),
    ]
    scores = score(plan, samples(), events, complete=True)
    by_metric = {s.metric: s for s in scores.slos}
    assert by_metric["availability"].measured == pytest.approx(260 / 300)
    assert by_metric["availability"].passed
    assert by_metric["p99_latency"].threshold == pytest.approx(30.0)  # 3 × 10 ms baseline
    assert by_metric["p99_latency"].passed  # 25 ms
    assert by_metric["recovery_time"].measured == pytest.approx(4.0, abs=0.11)
    assert not by_metric["accuracy"].passed  # 90 % < 99 %
    assert scores.verdict == Verdict.FAIL
    fault = scores.faults[0]
    assert (fault.requests, fault.errors, fault.recovered) == (40, 40, True)
    phases = {p.name: p for p in scores.phases}
    assert phases["fault"].errors == 40 and phases["baseline"].accuracy == pytest.approx(0.9)


def test_incomplete_run_is_never_a_pass(plan) -> None:  # type: ignore[no-untyped-def]
    assert score(plan, samples(), [], complete=False).verdict == Verdict.INCOMPLETE


def test_fault_never_injected_fails_recovery_objective(plan) -> None:  # type: ignore[no-untyped-def]
    scores = score(plan, samples(), [], complete=True)
    rt = next(s for s in scores.slos if s.metric == "recovery_time")
    assert rt.measured is None and not rt.passed


def test_duration_objectives_shrink_with_time_scale(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    plan = make_plan(load_scenario(path)[0], time_scale=0.1)
    rt = next(s for s in score(plan, [], [], complete=True).slos if s.metric == "recovery_time")
    assert rt.threshold == pytest.approx(0.5)
