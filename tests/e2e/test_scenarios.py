"""Whole scenarios through the CLI at a compressed time scale; outages on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import SCENARIOS, on_both_backends, run_harness, variant

pytestmark = pytest.mark.e2e


# On the process backend only: on docker, the same kill and failover of an active-passive
# primary is what both examples run (tests/e2e/test_examples.py).
def test_regional_outage_active_passive_passes_and_fails_over(out_dir: Path, backend: str) -> None:
    run = run_harness(
        out_dir, SCENARIOS / "regional-outage.yaml", "--time-scale", "0.1", "--backend", backend
    )
    assert run.code == 0, run.stderr[-3000:]
    results = run.results
    assert results["verdict"] == "pass" and results["time_scale"] == 0.1
    assert results["backend"] == backend
    fault = results["faults"][0]
    assert fault["recovered"] and fault["injected_at"] is not None
    types = [e["type"] for e in results["events"]]
    assert types.count("InstanceKilled") == 2 and types.count("InstanceStarted") == 2
    failovers = [e["data"] for e in results["events"] if e["type"] == "FailoverSeen"]
    assert {"from_region": "us-east-1", "to_region": "eu-west-1"} in failovers
    served = {row.split(",")[5] for row in (out_dir / "samples.csv").read_text().splitlines()[1:]}
    assert {"us-east-1", "eu-west-1"} <= served
    assert (out_dir / "report.html").stat().st_size > 10_000
    assert "failover" in run.stderr.lower()
    # No data changed: no window may read as major drift (short windows read as no data).
    psi = [p for row in results["drift"]["psi"] for p in row if p is not None]
    assert psi and max(psi) < 0.25, max(psi)


@on_both_backends
def test_regional_outage_single_region_fails_its_slo(
    tmp_path: Path, out_dir: Path, backend: str
) -> None:
    scenario = variant(
        tmp_path,
        "regional-outage.yaml",
        {"architecture: active-passive": "architecture: single-region"},
    )
    run = run_harness(out_dir, scenario, "--time-scale", "0.1", "--backend", backend)
    assert run.code == 1, run.stderr[-3000:]
    results = run.results
    assert results["verdict"] == "fail"
    failed = {s["metric"] for s in results["slos"] if not s["passed"]}
    assert "availability" in failed
    assert results["faults"][0]["errors"] > 0


@pytest.mark.solo  # its p99 after the spike is judged against 2x the baseline's (80 requests)
def test_latency_spike_is_measured_and_the_slow_region_ejected(out_dir: Path, backend: str) -> None:
    run = run_harness(
        out_dir, SCENARIOS / "latency-spike.yaml", "--time-scale", "0.1", "--backend", backend
    )
    assert run.code == 0, run.stderr[-3000:]
    results = run.results
    phases = {p["name"]: p for p in results["phases"]}
    assert phases["fault"]["p99_ms"] >= 250  # 300 ms ± 50 ms until the region is ejected
    assert phases["baseline"]["p99_ms"] < 100
    fault = results["faults"][0]
    assert fault["recovered"] and fault["time_to_detect_s"] is not None
    health = [e["data"] for e in results["events"] if e["type"] == "InstanceHealthChanged"]
    assert {"instance": "inference-us-east-1-0", "healthy": False} in health
    assert health[-1] == {"instance": "inference-us-east-1-0", "healthy": True}


@on_both_backends
def test_recovery_time_is_calibrated_against_a_known_outage(
    tmp_path: Path, out_dir: Path, backend: str
) -> None:
    """Every link into the only region is down for exactly 5 s: recovery must read 5 s ± 0.5 s."""
    scenario = variant(
        tmp_path,
        "regional-outage.yaml",
        {
            "architecture: active-passive": "architecture: single-region",
            "mode: kill": "mode: isolate",
            "duration: 60s": "duration: 5s",
            "baseline: 30s": "baseline: 4s",
            "fault: 70s": "fault: 8s",
            "recovery: 30s": "recovery: 6s",
            "at: 35s": "at: 5s",
            "stabilisation: 5s": "stabilisation: 2s",
        },
    )
    run = run_harness(out_dir, scenario, "--time-scale", "1", "--backend", backend)
    fault = run.results["faults"][0]
    assert fault["time_to_recover_s"] == pytest.approx(5.0, abs=0.5), fault
    assert fault["recovered"]


@on_both_backends
def test_frozen_primary_region_fails_over(tmp_path: Path, out_dir: Path, backend: str) -> None:
    """Mode freeze pauses every instance: health checks time out and the gateway fails over.

    Frozen instances hang requests until the gateway's per-try timeout and fail three health
    checks of 500 ms each (latencies, not scaled), so at --time-scale 0.1 detection takes about
    1.5 s of a 6 s fault: the availability objective fails, the failover still happens.
    """
    scenario = variant(tmp_path, "regional-outage.yaml", {"mode: kill": "mode: freeze"})
    run = run_harness(out_dir, scenario, "--time-scale", "0.1", "--backend", backend)
    assert run.code in (0, 1), run.stderr[-3000:]
    fault = run.results["faults"][0]
    assert fault["recovered"] and 1.0 <= fault["time_to_detect_s"] <= 3.0
    events = run.results["events"]
    types = [e["type"] for e in events]
    assert types.count("InstancePaused") == 2 and types.count("InstanceResumed") == 2
    assert "InstanceKilled" not in types
    failovers = [e["data"] for e in events if e["type"] == "FailoverSeen"]
    assert {"from_region": "us-east-1", "to_region": "eu-west-1"} in failovers
