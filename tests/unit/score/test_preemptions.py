"""Scores of spot preemptions from constructed events and samples, and their SLO metrics."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.events import (
    Event,
    InstanceHealthChanged,
    InstancePreempted,
    InstanceStarted,
    NoCapacity,
    ReplacementStarted,
    SpotNotice,
    SpotRebalance,
)
from harness.load.samples import Sample
from harness.results import Preemption, Replacement
from harness.scenario.loader import load_scenario
from harness.scenario.plan import Plan, make_plan
from harness.score.preemptions import preemptions
from harness.score.scorer import score
from harness.score.slo_metrics import SLO_METRICS, ScoreView

ROOT = Path(__file__).resolve().parents[3]
INST = "inference-us-east-1-2"
OTHER = "inference-us-east-1-1"
RUN_END = 340.0  # 30 s + 250 s + 60 s

SCENARIO = """\
name: sp
seed: 7
stack:
  architecture: single-region
  instance_types: {g5.xlarge: {price: 1.0}, c6i.large: {price: 0.1}}
  default_instance_type: c6i.large
  regions:
    - name: us-east-1
      inference: {replicas: 3, instance_type: g5.xlarge, spot: 2}
  spot: {drain_on_notice: DRAIN}
load:
  rate: 10
  phases: {baseline: 30s, fault: 250s, recovery: 60s}
faults:
  - {kind: spot_preemption, name: crunch, count: 1, at: 40sEXTRA}
slos:
  - {metric: preemption_failed_requests, objective: "<= 0"}
  - {metric: time_without_full_capacity, objective: "<= 30s"}
"""


def plan_of(tmp_path: Path, drain: bool = True, extra: str = "") -> Plan:
    path = tmp_path / "s.yaml"
    text = SCENARIO.replace("DRAIN", "true" if drain else "false").replace("EXTRA", extra)
    path.write_text(text)
    scenario, _ = load_scenario(path)
    return make_plan(scenario)


def notice(t: float = 10.0, instance: str = INST, wave: int = 1) -> SpotNotice:
    return SpotNotice(
        t, instance=instance, fault="crunch", provider="aws", wave=wave, terminate_at=t + 12.0
    )


def health(t: float, healthy: bool, instance: str = INST) -> InstanceHealthChanged:
    return InstanceHealthChanged(t, instance=instance, healthy=healthy)


def drained_events() -> list[Event]:
    return [
        notice(10.0),
        health(10.5, False),
        InstancePreempted(22.0, instance=INST, fault="crunch", gone_at=22.5, forced=False),
        ReplacementStarted(25.5, instance=INST, pricing="spot", instance_type="g5.xlarge"),
        InstanceStarted(27.0, instance=INST),
        health(27.2, True),
    ]


def undrained_events() -> list[Event]:
    return [
        notice(10.0),
        InstancePreempted(22.0, instance=INST, fault="crunch", gone_at=22.5, forced=True),
        health(23.0, False),  # the gateway noticed only once it was gone
        ReplacementStarted(25.5, instance=INST, pricing="spot", instance_type="g5.xlarge"),
        InstanceStarted(27.0, instance=INST),
        health(27.2, True),
    ]


def failed(t_end: float, instance: str | None = INST) -> Sample:
    return Sample(t_end - 0.01, t_end, False, 502, 10.0, region="us-east-1", instance=instance)


def served(t_end: float, instance: str | None = INST) -> Sample:
    return Sample(t_end - 0.01, t_end, True, 200, 10.0, region="us-east-1", instance=instance)


def only(plan: Plan, samples: list[Sample], events: list[Event]) -> Preemption:
    (found,) = preemptions(plan, samples, events)
    return found


def view_of(found: list[Preemption]) -> ScoreView:
    return ScoreView(phases={}, faults=[], preemptions=found)


def measure(name: str, found: list[Preemption]) -> float | None:
    metric = SLO_METRICS.get(name)
    return metric.measure(view_of(found), metric.default_phase)


# --- (a) drained on the notice -----------------------------------------------------------------


def test_drained_on_the_notice(tmp_path: Path) -> None:
    p = only(plan_of(tmp_path), [], drained_events())
    assert (p.fault, p.wave, p.instance, p.provider) == ("crunch", 1, INST, "aws")
    assert p.instance_type == "g5.xlarge"
    assert p.rebalance_at is None
    assert p.notice_at == 10.0
    assert (p.terminate_at, p.gone_at, p.forced) == (22.0, 22.5, False)
    assert p.drained_at == 10.5
    assert p.notice_to_drained_s == pytest.approx(0.5)
    assert p.drained_before_termination is True
    assert p.out_of_rotation_at == 10.5
    assert p.without_full_capacity_s == pytest.approx(16.7)  # 10.5 → 27.2
    assert p.replacement == Replacement(
        capacity="spot", started_at=25.5, ready_at=27.0, joined_at=27.2
    )
    assert p.failed_requests == 0
    assert p.finding is None


def test_a_rebalance_before_the_notice_is_reported(tmp_path: Path) -> None:
    events = [SpotRebalance(0.0, instance=INST, fault="crunch"), *drained_events()]
    assert only(plan_of(tmp_path), [], events).rebalance_at == 0.0


def test_an_unhealthy_mark_before_the_notice_is_not_a_drain(tmp_path: Path) -> None:
    events = [health(5.0, False), health(6.0, True), *drained_events()]
    events = [e for e in events if e.t != 10.5]  # no drain after the notice this time
    p = only(plan_of(tmp_path), [], events)
    assert p.drained_at is None
    assert p.out_of_rotation_at == 22.0


# --- (b) the notice ignored ---------------------------------------------------------------------


def test_not_drained_when_the_gateway_saw_it_only_after_termination(tmp_path: Path) -> None:
    samples = [failed(12.0), failed(20.0), failed(22.4)]
    p = only(plan_of(tmp_path), samples, undrained_events())
    assert p.drained_at is None
    assert p.notice_to_drained_s is None
    assert p.drained_before_termination is False
    assert p.forced is True
    assert p.out_of_rotation_at == 22.0  # terminated
    assert p.without_full_capacity_s == pytest.approx(5.2)  # 22 → 27.2
    assert p.failed_requests == 3
    assert p.finding is not None
    assert "ignored the interruption notice" in p.finding
    assert "3 request(s) failed" in p.finding


def test_without_a_termination_handler_the_finding_says_so(tmp_path: Path) -> None:
    p = only(plan_of(tmp_path, drain=False), [failed(15.0)], undrained_events())
    assert p.finding is not None
    assert "no termination handler" in p.finding
    assert "drain_on_notice: false" in p.finding
    assert "1 request(s) failed" in p.finding


def test_failed_requests_count_only_on_this_instance_from_notice_to_join(tmp_path: Path) -> None:
    samples = [
        failed(9.9),  # before the notice
        failed(10.0),  # at the notice: counts
        failed(15.0),
        served(16.0),  # ok: does not count
        failed(15.0, instance=OTHER),  # another instance
        failed(15.0, instance=None),  # no instance answered (e.g. the gateway's own 503)
        failed(25.0),
        failed(27.2),  # the moment it joined: counts
        failed(27.3),  # after the join
        failed(300.0),
    ]
    p = only(plan_of(tmp_path), samples, undrained_events())
    assert p.failed_requests == 4


# --- (c) no replacement capacity ----------------------------------------------------------------


def no_capacity_events() -> list[Event]:
    return [
        notice(10.0),
        health(10.5, False),
        InstancePreempted(22.0, instance=INST, fault="crunch", gone_at=22.5, forced=False),
        NoCapacity(22.6, instance=INST),
    ]


def test_no_capacity_leaves_the_stack_short_until_the_run_ends(tmp_path: Path) -> None:
    samples = [failed(11.0), failed(200.0), failed(339.0), failed(200.0, instance=OTHER)]
    p = only(plan_of(tmp_path), samples, no_capacity_events())
    assert p.replacement == Replacement(capacity="none")
    assert p.drained_before_termination is True
    assert p.without_full_capacity_s == pytest.approx(RUN_END - 10.5)
    assert p.failed_requests == 3  # the window runs to the run's end
    assert p.finding is not None
    assert "no replacement capacity" in p.finding
    assert "3 request(s) failed" in p.finding
    assert measure("time_without_full_capacity", [p]) is None  # a failure, not a number


def test_not_yet_terminated_when_the_run_ended(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, extra=", capacity: on_demand")
    p = only(plan, [], [notice(330.0), health(330.4, False)])
    assert p.terminate_at == 342.0  # the planned SIGTERM
    assert (p.gone_at, p.forced) == (None, False)
    assert p.out_of_rotation_at == 330.4
    assert p.replacement == Replacement(capacity="on_demand")  # the fault's own policy
    assert p.without_full_capacity_s == pytest.approx(RUN_END - 330.4)
    assert p.finding is None


def test_launched_but_never_joined_runs_to_the_end(tmp_path: Path) -> None:
    events = drained_events()[:-1]  # no healthy mark after the replacement
    p = only(plan_of(tmp_path), [], events)
    assert p.replacement.started_at == 25.5 and p.replacement.joined_at is None
    assert p.without_full_capacity_s == pytest.approx(RUN_END - 10.5)
    assert measure("time_without_full_capacity", [p]) is None


# --- several preemptions ---------------------------------------------------------------------


def test_one_score_per_notice_in_time_order(tmp_path: Path) -> None:
    other = [
        notice(50.0, instance=OTHER, wave=2),
        health(51.0, False, instance=OTHER),
        InstancePreempted(62.0, instance=OTHER, fault="crunch", gone_at=62.1, forced=False),
        ReplacementStarted(92.0, instance=OTHER, pricing="on_demand"),
        health(95.0, True, instance=OTHER),
    ]
    found = preemptions(plan_of(tmp_path), [failed(55.0, instance=OTHER)], other + drained_events())
    assert [(p.instance, p.wave) for p in found] == [(INST, 1), (OTHER, 2)]
    assert found[0].failed_requests == 0 and found[1].failed_requests == 1
    assert found[1].replacement.capacity == "on_demand"
    assert found[1].without_full_capacity_s == pytest.approx(44.0)


def the_same_slot_twice(second_capacity: bool) -> list[Event]:
    """The replacement of the first preemption is preempted again later."""
    again: list[Event] = [
        SpotRebalance(200.0, instance=INST, fault="crunch"),
        notice(210.0, wave=2),
        health(210.5, False),
        InstancePreempted(222.0, instance=INST, fault="crunch", gone_at=222.5, forced=False),
    ]
    if second_capacity:
        again += [
            ReplacementStarted(250.0, instance=INST, pricing="spot", instance_type="g5.xlarge"),
            health(253.0, True),
        ]
    else:
        again.append(NoCapacity(222.6, instance=INST))
    first = [SpotRebalance(0.0, instance=INST, fault="crunch"), *drained_events()]
    return first + again


def test_a_slot_preempted_twice_scores_each_preemption_on_its_own(tmp_path: Path) -> None:
    first, second = preemptions(plan_of(tmp_path), [], the_same_slot_twice(True))
    assert (first.rebalance_at, first.notice_at, first.terminate_at) == (0.0, 10.0, 22.0)
    assert first.replacement.joined_at == 27.2
    assert second.replacement == Replacement(
        capacity="spot", started_at=250.0, ready_at=None, joined_at=253.0
    )
    assert (second.notice_at, second.terminate_at, second.drained_at) == (210.0, 222.0, 210.5)
    assert second.rebalance_at == 200.0  # its own recommendation, not the first one's


def test_no_capacity_the_second_time_does_not_undo_the_first_replacement(tmp_path: Path) -> None:
    first, second = preemptions(plan_of(tmp_path), [], the_same_slot_twice(False))
    assert second.replacement == Replacement(capacity="none")
    # The first preemption was replaced and its replacement joined at 27.2: a later
    # preemption of that replacement without capacity does not change that.
    assert first.replacement == Replacement(
        capacity="spot", started_at=25.5, ready_at=27.0, joined_at=27.2
    )
    assert first.without_full_capacity_s == pytest.approx(16.7)
    assert first.finding is None


# --- (d) the SLO metrics ------------------------------------------------------------------------


def test_preemption_failed_requests_sums_every_preemption(tmp_path: Path) -> None:
    plan = plan_of(tmp_path)
    a = only(plan, [failed(12.0), failed(13.0)], undrained_events())
    b = only(plan, [failed(15.0)], no_capacity_events())
    assert measure("preemption_failed_requests", [a, b]) == 3.0
    assert measure("preemption_failed_requests", []) == 0.0


def test_time_without_full_capacity_is_the_longest(tmp_path: Path) -> None:
    plan = plan_of(tmp_path)
    a = only(plan, [], drained_events())  # 16.7 s
    b = only(plan, [], undrained_events())  # 5.2 s
    assert measure("time_without_full_capacity", [a, b]) == pytest.approx(16.7)
    assert measure("time_without_full_capacity", []) == 0.0


def test_score_judges_the_spot_slos(tmp_path: Path) -> None:
    plan = plan_of(tmp_path)
    samples = [served(t / 10) for t in range(3400) if t % 10] + [failed(12.0), failed(20.0)]
    scores = score(plan, samples, undrained_events(), complete=True)
    assert len(scores.preemptions) == 1
    by_metric = {s.metric: s for s in scores.slos}
    assert by_metric["preemption_failed_requests"].measured == 2.0
    assert not by_metric["preemption_failed_requests"].passed
    assert by_metric["time_without_full_capacity"].measured == pytest.approx(5.2)
    assert by_metric["time_without_full_capacity"].passed
    assert scores.cost.capacity_seconds_lost == pytest.approx(5.2)


def test_shipped_scenario_plans_the_spot_slos() -> None:
    scenario, _ = load_scenario(ROOT / "scenarios" / "spot-preemption.yaml")
    plan = make_plan(scenario)
    metrics = [s.metric for s in plan.scenario.slos]
    assert {"preemption_failed_requests", "time_without_full_capacity"} <= set(metrics)
    assert preemptions(plan, [], []) == []


def test_drained_yet_failed_requests_are_a_finding(tmp_path: Path) -> None:
    found = only(plan_of(tmp_path), [failed(10.2)], drained_events())
    assert found.drained_before_termination and found.failed_requests == 1
    assert found.finding is not None and "yet 1 request(s) failed" in found.finding
