"""Scores of data faults: accuracy recovery, the rows requests carried, integrity SLOs."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from harness.errors import HarnessError
from harness.events import FaultInjected, FaultReverted, QualityAlert
from harness.faults import PrepareContext, prepare_faults
from harness.load.protocol import Reply, RowFeed, make_sample
from harness.load.samples import Sample
from harness.observe.integrity import AckedRecord, StoreContents, audit
from harness.observe.quality_probe import LagPoint
from harness.pipeline.audit import AuditResult
from harness.pipeline.feed import Ack, FeedStats
from harness.pipeline.session import PipelineOutcome
from harness.scenario.loader import load_scenario
from harness.scenario.plan import Plan, make_plan
from harness.score.drift_scores import corruption_files, drift, served_rows
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
  rate: 40
  phases: {baseline: 10s, fault: 10s, recovery: 10s}
faults:
  - {kind: corrupt_data, name: skew, target: serving, corruption: scaling, severity: 5, at: 12s, duration: 4s}
scoring: {stabilisation: 2s, accuracy_drop: 0.1}
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
    """40 req/s for 30 s, every request ok; accuracy 0.9, but 0.4 from 12 s to `wrong_until`."""
    out = []
    for i in range(1200):
        t = i / 40
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


def worker_run(
    plan: Plan, holdout: Path, out_dir: Path, seed: int
) -> tuple[list[Sample], list[str]]:
    """Samples as the load worker makes them (every reply right), and the bodies it sent."""
    feed = RowFeed.load(holdout, seed, plan.scenario.load.batch_size)
    for start, end, path in prepare_faults(PrepareContext(plan, holdout, out_dir)).corruptions:
        feed.add_corruption(start, end, path)
    rate = plan.scenario.load.rate
    samples, bodies = [], []
    for i in range(round(plan.duration_s * rate)):
        sent = feed.request(i, i / rate)
        reply = Reply(ok=True, status=200, predicted=sent.label)
        samples.append(make_sample(i / rate, i / rate + 0.01, 10.0, sent, reply, i))
        bodies.append(sent.body)
    return samples, bodies


def worker_samples(plan: Plan, holdout: Path, out_dir: Path, seed: int) -> list[Sample]:
    return worker_run(plan, holdout, out_dir, seed)[0]


def holdout_file(tmp_path: Path, n: int = 5000, seed: int = 0) -> Path:
    """Clean rows shaped like the reference stack's: skewed, heavy-tailed, bimodal columns."""
    g = np.random.default_rng(seed)
    kinds = [
        g.normal(size=n),
        g.lognormal(3, 1, n),
        g.exponential(2, n),
        np.concatenate([g.normal(-2, 0.5, n // 2), g.normal(2, 0.5, n - n // 2)]),
    ]
    X = np.stack([g.permutation(kinds[j % 4]) for j in range(20)], axis=1).astype(np.float32)
    path = tmp_path / "holdout.npz"
    np.savez(path, X=X, y=g.integers(0, 2, n))
    return path


def test_drift_reads_the_rows_each_request_carried_not_a_replayed_order(tmp_path: Path) -> None:
    plan = plan_of(tmp_path)
    holdout = holdout_file(tmp_path, n=50)
    # The worker's order comes from another seed than the plan's: whatever the order, the
    # scores must read the rows recorded in each sample.
    samples, bodies = worker_run(plan, holdout, tmp_path, seed=plan.seed + 1)
    clean = np.load(holdout)["X"]
    _, rows = served_rows(samples, clean, corruption_files(tmp_path / "corruptions", clean.shape))
    for k, body in enumerate(bodies):
        carried = np.float32(json.loads(body)["rows"][0])
        assert np.array_equal(rows[k], carried, equal_nan=True), k
    corrupted = [s for s in samples if s.corruption is not None]
    assert {s.corruption for s in corrupted} == {"skew"}
    assert {int(s.t_start) for s in corrupted} == set(range(12, 16))


def test_a_sample_naming_a_missing_corruption_is_an_error(tmp_path: Path) -> None:
    clean = np.zeros((5, 20), np.float32)
    sample = Sample(1.0, 1.0, True, 200, 1.0, row=2, corruption="gone")
    with pytest.raises(HarnessError, match="corruption gone"):
        served_rows([sample], clean, corruption_files(tmp_path, clean.shape))


CLEAN_RUN = """name: clean
seed: 42
stack:
  architecture: active-passive
  regions: [{name: a}, {name: b}]
load:
  rate: 40
  phases: {baseline: 30s, fault: 70s, recovery: 30s}
faults:
  - {kind: region_outage, name: down, target: {region: a}, mode: kill, at: 35s, duration: 60s}
"""


@pytest.mark.parametrize("scale", [0.1, 0.25, 1.0])
def test_a_run_that_changes_no_data_shows_no_major_drift(tmp_path: Path, scale: float) -> None:
    path = tmp_path / "clean.yaml"
    path.write_text(CLEAN_RUN)
    plan = make_plan(load_scenario(path)[0], time_scale=scale)
    holdout = holdout_file(tmp_path)
    result = drift(plan, worker_samples(plan, holdout, tmp_path, plan.seed), holdout, tmp_path)
    assert result is not None
    judged = [p for row in result.psi for p in row if p is not None]
    assert judged or scale < 0.25  # at 0.1 no window holds enough rows to be judged
    assert max(judged, default=0.0) < 0.25
    for w, window in enumerate(result.windows):
        column = [row[w] for row in result.psi]
        if window.requests < result.min_rows:  # e.g. the short last window
            assert column == [None] * 20, window
        else:
            assert None not in column, window


def test_a_short_last_window_is_not_enough_data(tmp_path: Path) -> None:
    path = tmp_path / "clean.yaml"
    path.write_text(CLEAN_RUN)
    plan = make_plan(load_scenario(path)[0], time_scale=0.25)  # 32.5 s: the last window is short
    holdout = holdout_file(tmp_path)
    result = drift(plan, worker_samples(plan, holdout, tmp_path, plan.seed), holdout, tmp_path)
    assert result is not None
    last = result.windows[-1]
    assert last.end_s == 32.5 and last.requests < result.min_rows
    assert all(row[-1] is None for row in result.psi)
    assert all(row[-1] is None for row in result.ks_pvalue)


def test_a_serving_corruption_shows_in_its_window_only(tmp_path: Path) -> None:
    path = tmp_path / "skew.yaml"
    path.write_text(CLEAN_RUN.replace(
        "  - {kind: region_outage, name: down, target: {region: a}, mode: kill, at: 35s, duration: 60s}",
        "  - {kind: corrupt_data, name: skew, target: serving, corruption: scaling, severity: 5,"
        " at: 40s, duration: 40s}",
    ))  # fmt: skip
    plan = make_plan(load_scenario(path)[0])
    holdout = holdout_file(tmp_path)
    result = drift(plan, worker_samples(plan, holdout, tmp_path, plan.seed), holdout, tmp_path)
    assert result is not None
    inside = [w for w, win in enumerate(result.windows) if win.start_s >= 40 and win.end_s <= 80]
    outside = [w for w, win in enumerate(result.windows) if win.end_s <= 40 or win.start_s >= 80]
    assert inside and outside
    assert all(min(row[w] or 0 for row in result.psi) >= 0.25 for w in inside)
    assert all(max(row[w] or 0 for row in result.psi) < 0.25 for w in outside)


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


def test_a_serving_corruption_nothing_repairs_recovers_when_it_ends(tmp_path: Path) -> None:
    """Through the scorer: the fault's requests carry its name; a straddle cannot pass early."""
    path = tmp_path / "skew.yaml"
    path.write_text(
        CLEAN_RUN.replace(
            "  - {kind: region_outage, name: down, target: {region: a}, mode: kill, at: 35s,"
            " duration: 60s}",
            "  - {kind: corrupt_data, name: skew, target: serving, corruption: scaling,"
            " severity: 1, at: 40s, duration: 10s}\nscoring: {stabilisation: 5s, accuracy_drop: 0.08}",
        )
    )
    plan = make_plan(load_scenario(path)[0])
    holdout = holdout_file(tmp_path)
    g = np.random.default_rng(5)
    samples = []
    for s in worker_samples(plan, holdout, tmp_path, plan.seed):
        right = g.random() < (0.78 if s.corruption == "skew" else 0.88)  # s1 on the real stack
        samples.append(
            replace(s, predicted=s.label if right else 1 - (s.label or 0), correct=right)
        )
    faults = [FaultInjected(40.0, fault="skew", fault_kind="corrupt_data", target="serving"),
              FaultReverted(50.02, fault="skew")]  # fmt: skip
    result = score(plan, samples, faults, True).faults[0]
    assert result.time_to_recover_s == pytest.approx(10.0, abs=0.1)
