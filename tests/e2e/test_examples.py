"""The two examples a user copies (examples/mlserver, examples/mlflow): real third-party model
servers in the stack, on both backends, scored on the example's own labelled data."""

from __future__ import annotations

import csv
import statistics
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ROOT, on_both_backends, run_harness

pytestmark = pytest.mark.e2e

EXAMPLES = ROOT / "examples"
INJECTED_MS = 150 - 20  # the scenarios' latency fault: 150 ms ± 20 ms on the primary's links


def _samples(out_dir: Path) -> list[dict[str, str]]:
    with (out_dir / "samples.csv").open() as handle:
        return list(csv.DictReader(handle))


def _fault_window(results: dict[str, Any], name: str) -> tuple[float, float]:
    """When the fault `name` was injected and reverted (run seconds)."""
    times = {
        e["type"]: e["t"]
        for e in results["events"]
        if e["type"] in ("FaultInjected", "FaultReverted") and e["data"].get("fault") == name
    }
    return times["FaultInjected"], times["FaultReverted"]


@pytest.mark.parametrize("example", ["mlserver", "mlflow"])
@on_both_backends
def test_example_fails_over_shows_latency_and_scores_its_own_data(
    out_dir: Path, backend: str, example: str
) -> None:
    folder = EXAMPLES / example
    run = run_harness(
        out_dir,
        folder / "scenario.yaml",
        "--time-scale",
        "0.25",
        "--backend",
        backend,
        timeout=900,  # the first run makes the venv or builds the image (about a minute)
    )
    assert run.code == 0, run.stderr[-3000:]
    results = run.results
    assert results["verdict"] == "pass" and results["backend"] == backend
    samples = _samples(out_dir)

    # Accuracy is the model's on holdout.csv: the labels the load carried are that file's.
    with (folder / "holdout.csv").open() as handle:
        labels = [row["diagnosis"] for row in csv.DictReader(handle)]
    assert all(s["label"] == labels[int(s["row"])] for s in samples)
    overall = {p["name"]: p for p in results["phases"]}["overall"]
    assert 0.9 <= overall["accuracy"] <= 1.0  # 0.958 when the model is asked directly

    # The primary region's outage: both its instances killed and restarted, the gateway failed
    # over to eu-west-1, which then served.
    outage = next(f for f in results["faults"] if f["name"] == "primary-region-down")
    assert outage["recovered"]
    types = [e["type"] for e in results["events"]]
    assert types.count("InstanceKilled") == 2 and types.count("InstanceStarted") == 2
    failovers = [e["data"] for e in results["events"] if e["type"] == "FailoverSeen"]
    assert {"from_region": "us-east-1", "to_region": "eu-west-1"} in failovers
    start, end = _fault_window(results, "primary-region-down")
    during = {
        s["region"] for s in samples if s["ok"] == "True" and start < float(s["t_start"]) < end
    }
    assert "eu-west-1" in during

    # The latency fault: the primary stays in (under the health timeout) and its answers are
    # slower by the injected delay; the fault phase's p99 shows it.
    start, end = _fault_window(results, "slow-primary")
    slow = [
        float(s["latency_ms"])
        for s in samples
        if s["ok"] == "True" and s["region"] == "us-east-1" and start < float(s["t_start"]) < end
    ]
    baseline = [float(s["latency_ms"]) for s in samples if float(s["t_start"]) < start]
    assert slow and statistics.median(slow) >= INJECTED_MS
    assert statistics.median(baseline) < INJECTED_MS
    fault_phase = {p["name"]: p for p in results["phases"]}["fault"]
    assert fault_phase["p99_ms"] >= INJECTED_MS
