"""Scores of data faults: accuracy recovery, the rows requests carried, integrity SLOs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from harness.events import FaultInjected, FaultReverted, QualityAlert
from harness.load.protocol import RowFeed
from harness.load.samples import Sample
from harness.observe.integrity import AckedRecord, StoreContents, audit
from harness.observe.quality_probe import LagPoint
from harness.pipeline.audit import AuditResult
from harness.pipeline.feed import Ack, FeedStats
from harness.pipeline.serving_skew import prepare_windows
from harness.pipeline.session import PipelineOutcome
from harness.scenario.loader import load_scenario
from harness.scenario.plan import Plan, make_plan
from harness.score.drift_scores import served_rows
from harness.score.integrity_scores import integrity
from harness.score.scorer import score

SCENARIO = """\
name: d
seed: 3
stack:
  architecture: active-passive
  regions: [{name: a}, {name: b}]
  pipeline: {}
load:
  rate: 10
  phases: {baseline: 10s, fault: 10s, recovery: 10s}
faults:
  - {kind: corrupt_data, name: skew, target: serving, corruption: scaling, severity: 5, at: 12s, duration: 4s}
scoring: {stabilisation: 2s, accuracy_drop: 0.05}
slos:
  - {metric: recovery_time, objective: "<= 10s"}
  - {metric: records_lost, objective: "<= 0"}
  - {metric: rpo, objective: "<= 2s"}
"""


def plan_of(tmp_path: Path) -> Plan:
    path = tmp_path / "d.yaml"
    path.write_text(SCENARIO)
    scenario, _ = load_scenario(path)
    return make_plan(scenario)


def skewed_samples(wrong_until: float) -> list[Sample]:
    """10 req/s for 30 s, every request ok; accuracy 0.9, but 0.4 from 12 s to `wrong_until`."""
    out = []
    for i in range(300):
        t = i / 10
        wrong = i % 10 == 0 or (12 <= t < wrong_until and i % 10 < 6)
        out.append(
            Sample(
                t,
                t + 0.01,
                True,
                200,
                10.0,
                label=1,
                predicted=0 if wrong else 1,
                correct=not wrong,
                request=i,
            )
        )
    return out


def events() -> list:  # type: ignore[type-arg]
    return [
        FaultInjected(12.0, fault="skew", fault_kind="corrupt_data", target="serving"),
        QualityAlert(13.5, instance="inference-a-0", check="feature_drift", firing=True),
        FaultReverted(16.0, fault="skew"),
    ]


def test_data_fault_recovers_when_accuracy_is_back(tmp_path: Path) -> None:
    plan = plan_of(tmp_path)
    result = score(plan, skewed_samples(wrong_until=18.0), events(), True).faults[0]
    # Every request succeeded: availability alone would call it recovered at once.
    assert result.availability == 1.0
    assert 5.5 <= (result.time_to_recover_s or 0) <= 6.5  # accuracy back at 18 s
    assert result.time_to_detect_s == 1.5
    assert result.detected_by == "inference-a-0: quality alert feature_drift firing"
    assert result.target == "serving"


def test_rows_rebuilt_by_the_harness_are_the_rows_the_worker_sent(tmp_path: Path) -> None:
    plan = plan_of(tmp_path)
    rng = np.random.default_rng(0)
    holdout = tmp_path / "holdout.npz"
    np.savez(holdout, X=rng.normal(100, 10, (50, 20)).astype(np.float32), y=np.zeros(50, np.int64))
    feed = RowFeed.load(holdout, plan.seed, 1)
    for start, end, path in prepare_windows(plan, holdout, tmp_path):
        feed.add_corruption(start, end, path)
    samples = [Sample(i / 10, i / 10, True, 200, 1.0, request=i) for i in range(0, 300, 7)]
    _, rows = served_rows(plan, samples, holdout)
    for k, s in enumerate(samples):
        i = int(s.request or 0)
        sent = feed.features_at(i / plan.scenario.load.rate)[feed.rows_for(i)[0]]
        assert np.array_equal(rows[k], sent, equal_nan=True)
    corrupted = [k for k, s in enumerate(samples) if 12 <= (s.request or 0) / 10 < 16]
    assert corrupted and any(
        not np.array_equal(rows[k], feed.x[feed.rows_for(samples[k].request or 0)[0]])
        for k in corrupted
    )


def outcome(lost_region_at: float | None) -> PipelineOutcome:
    acks = [Ack(f"r{i}", i * 0.1, i * 0.1 + 0.01, "a") for i in range(100)]
    present = [a.id for a in acks if a.t_ack < 8.0]  # acknowledged after 8 s: never replicated
    report = audit(
        [AckedRecord(a.id, a.t_ack, a.region) for a in acks],
        [StoreContents("b", [*present, "r1"], 0, True), StoreContents("a", [], 0, False)],
        {"a": [] if lost_region_at is None else [lost_region_at], "b": []},
        20.0,
    )
    stats = FeedStats(sent=120, acked=100, quarantined=20, reasons={"null": 20})
    return PipelineOutcome(
        acks,
        stats,
        [LagPoint(1.0, "replicator-a", 0.5, 3)],
        AuditResult(report, 20.0, {"a": 0, "b": 9}),
    )


def test_integrity_section_and_slos(tmp_path: Path) -> None:
    result = integrity(outcome(lost_region_at=10.0))
    assert result is not None
    assert result.records_acked == 100 and result.records_quarantined == 20
    assert result.records_lost == 20 and result.records_duplicated == 1
    assert result.rpo_s == 1.99  # the oldest lost record was acknowledged at 8.01 s, lost at 10
    assert result.lost[0].id == "r80"
    assert {r.region: r.objects for r in result.regions} == {"a": 0, "b": 9}
    scores = score(plan_of(tmp_path), skewed_samples(12.0), events(), True, result)
    verdicts = {s.metric: s.passed for s in scores.slos}
    assert verdicts == {"recovery_time": True, "records_lost": False, "rpo": True}
    assert scores.totals.records_lost == 20 and scores.totals.records_sent == 120


def test_no_feed_no_integrity_section() -> None:
    assert integrity(PipelineOutcome()) is None


def test_failed_audit_is_reported_not_scored(tmp_path: Path) -> None:
    broken = PipelineOutcome(feed=FeedStats(sent=5), audit_error="EndpointConnectionError: x")
    result = integrity(broken)
    assert result is not None and result.error == "EndpointConnectionError: x"
    scores = score(plan_of(tmp_path), skewed_samples(12.0), events(), True, result)
    lost = next(s for s in scores.slos if s.metric == "records_lost")
    assert lost.measured is None and not lost.passed
