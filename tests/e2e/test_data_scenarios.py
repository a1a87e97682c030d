"""The data scenarios end to end on both backends: accuracy under corruption, lost records, RPO."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.e2e.conftest import SCENARIOS, run_harness, variant

pytestmark = pytest.mark.e2e
SCALE = "0.25"


def acks(out_dir: Path) -> dict[str, tuple[float, str]]:
    """id → (acknowledged at, region), from records.csv."""
    with (out_dir / "records.csv").open() as fh:
        return {r["id"]: (float(r["t_ack"]), r["region"]) for r in csv.DictReader(fh)}


def test_dr_replication_loses_what_was_not_replicated(out_dir: Path, backend: str) -> None:
    run = run_harness(
        out_dir, SCENARIOS / "dr-replication.yaml", "--time-scale", SCALE, "--backend", backend
    )
    assert run.code == 0, run.stderr[-3000:]
    results = run.results
    audit = results["integrity"]
    assert audit["error"] is None and audit["records_acked"] > 500
    killed_at = results["faults"][0]["injected_at"]
    lag = 5 * float(SCALE)
    # Records acknowledged by the primary in its last `lag` seconds never reached eu-west-1.
    assert audit["records_lost"] > 0 and results["totals"]["records_lost"] == audit["records_lost"]
    assert 0.5 * lag <= audit["rpo_s"] <= lag + 1.0
    by_id = acks(out_dir)
    for lost in audit["lost"]:
        t_ack, region = by_id[lost["id"]]
        assert region == "us-east-1" and killed_at - lag - 1.0 <= t_ack <= killed_at
    regions = {r["region"]: r for r in audit["regions"]}
    assert regions["eu-west-1"]["surviving"] and not regions["us-east-1"]["surviving"]
    assert regions["eu-west-1"]["missing"] == audit["records_lost"]
    assert "failover" in run.stderr.lower() and "audit:" in run.stderr


def test_dr_replication_sync_loses_nothing(tmp_path: Path, out_dir: Path, backend: str) -> None:
    scenario = variant(
        tmp_path, "dr-replication.yaml", {"mode: async, lag: 5s, interval: 500ms": "mode: sync"}
    )
    run = run_harness(out_dir, scenario, "--time-scale", SCALE, "--backend", backend)
    assert run.code == 0, run.stderr[-3000:]
    audit = run.results["integrity"]
    assert audit["records_acked"] > 500
    assert audit["records_lost"] == 0 and audit["rpo_s"] == 0.0


def test_corrupted_data_drops_accuracy_and_recovers(out_dir: Path, backend: str) -> None:
    run = run_harness(
        out_dir, SCENARIOS / "corrupted-data.yaml", "--time-scale", SCALE, "--backend", backend
    )
    assert run.code == 0, run.stderr[-3000:]
    results = run.results
    phases = {p["name"]: p for p in results["phases"]}
    baseline = phases["baseline"]["accuracy"]
    faults = {f["name"]: f for f in results["faults"]}
    worst = faults["unit-change-s5"]
    assert worst["accuracy"] < baseline - 0.15  # a unit change at severity 5 hurts
    assert faults["unit-change-s1"]["accuracy"] > worst["accuracy"]
    for name in ("unit-change-s1", "unit-change-s3", "unit-change-s5"):
        assert faults[name]["recovered"], name
        assert faults[name]["availability"] == 1.0  # wrong answers, not failed requests
    assert worst["time_to_detect_s"] is not None and "feature_drift" in worst["detected_by"]
    retrains = [e["data"] for e in results["events"] if e["type"] == "ModelRetrained"]
    poison = faults["labels-inverted-upstream"]
    rejected = [r for r in retrains if r["outcome"] == "rejected"]
    assert rejected, retrains  # a retrain on inverted labels was refused
    assert all(
        r["candidate_accuracy"] >= baseline - 0.05 for r in retrains if r["outcome"] == "promoted"
    )
    assert poison["accuracy"] >= baseline - 0.05  # the poisoned candidate never served
    assert phases["recovery"]["accuracy"] >= 0.85
    drift = results["drift"]
    amount = drift["features"].index("amount")
    psi = [p for p in drift["psi"][amount] if p is not None]
    assert max(psi) >= 0.25 and min(psi) < 0.1
    html = (out_dir / "report.html").read_text()
    assert "amount" in html


def test_partition_holds_replication_back_and_loses_nothing(
    tmp_path: Path, out_dir: Path, backend: str
) -> None:
    """Regions cut from each other for 20 s: copies wait (the lag grows), then catch up."""
    scenario = variant(
        tmp_path,
        "dr-replication.yaml",
        {
            "lag: 5s": "lag: 1s",
            "kind: region_outage": "kind: partition",
            "target: {region: us-east-1}\n    mode: kill": "between: [us-east-1, eu-west-1]",
        },
    )
    run = run_harness(out_dir, scenario, "--time-scale", SCALE, "--backend", backend)
    assert run.code == 0, run.stderr[-3000:]
    results = run.results
    fault = results["faults"][0]
    assert fault["target"] == "us-east-1 and eu-west-1"
    downed = [e for e in results["events"] if e["type"] == "LinkChanged" and "down" in e["message"]]
    assert downed and all("replicator" in e["data"]["link"] for e in downed)
    during = [
        p["lag_s"]
        for p in results["replication_lag"]
        if fault["injected_at"] + 2 <= p["t"] <= fault["reverted_at"]
    ]
    assert during and max(during) >= 2 * float(SCALE)  # held back well past its 1 s lag
    assert results["integrity"]["records_lost"] == 0 and results["phases"][0]["availability"] == 1.0
