"""Spot preemption end to end: draining on the notice costs no request (on both backends)."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import (
    SCENARIOS,
    RunResult,
    assert_nothing_left,
    on_both_backends,
    run_harness,
    start_harness,
    variant,
    wait_for_line,
)

pytestmark = pytest.mark.e2e
SCALE = "0.1"  # the 2-minute notice lasts 12 s
# Seed 7 and the fault's name fix the picks: the same instances on every backend and run.
PICKED = [
    (1, "inference-eu-west-1-1"),
    (1, "inference-eu-west-1-2"),
    (2, "inference-us-east-1-1"),
    (2, "inference-us-east-1-2"),
]


def preemptions(run: RunResult) -> list[dict[str, Any]]:
    return list(run.results["preemptions"])


def event_types(run: RunResult) -> list[str]:
    return [e["type"] for e in run.results["events"]]


@on_both_backends
def test_two_waves_with_draining_fail_no_request(out_dir: Path, backend: str) -> None:
    run = run_harness(
        out_dir, SCENARIOS / "spot-preemption.yaml", "--time-scale", SCALE, "--backend", backend
    )
    assert run.code == 0, run.stderr[-3000:]
    found = preemptions(run)
    assert [(p["wave"], p["instance"]) for p in found] == PICKED
    for p in found:
        assert p["drained_before_termination"] and p["failed_requests"] == 0, p
        assert p["notice_to_drained_s"] < 2.0  # poll every 0.5 s + 3 health checks of 0.1 s
        assert p["replacement"]["capacity"] == "spot" and p["replacement"]["joined_at"], p
        assert p["finding"] is None
        # The instance itself saw the notice on its own metadata endpoint.
        log = (out_dir / "logs" / f"{p['instance']}.log").read_text()
        assert '"spot_notice"' in log and '"spot_rebalance"' in log
    types = event_types(run)
    for kind in ("SpotRebalance", "SpotNotice", "InstancePreempted", "ReplacementStarted"):
        assert types.count(kind) == 4, kind
    cost = run.results["cost"]
    lines = {(c["instance_type"], c["pricing"]): c for c in cost["lines"]}
    assert lines[("g5.xlarge", "spot")]["instances"] == 8  # 4 at start + 4 replacements
    assert lines[("g5.xlarge", "on_demand")]["instances"] == 2
    assert cost["total"] > 0 and cost["per_1k_predictions"] > 0
    assert cost["capacity_seconds_lost"] > 0
    html = (out_dir / "report.html").read_text()
    assert "Spot preemptions" in html and "g5.xlarge" in html


def test_without_the_handler_requests_fail_and_the_report_says_why(
    tmp_path: Path, out_dir: Path, backend: str
) -> None:
    scenario = variant(
        tmp_path, "spot-preemption.yaml", {"drain_on_notice: true ": "drain_on_notice: false"}
    )
    run = run_harness(out_dir, scenario, "--time-scale", SCALE, "--backend", backend)
    assert run.code == 1, run.stderr[-3000:]  # the failed-requests SLO
    found = preemptions(run)
    assert [(p["wave"], p["instance"]) for p in found] == PICKED
    assert sum(p["failed_requests"] for p in found) > 0
    for p in found:
        assert not p["drained_before_termination"] and "handler" in p["finding"], p
        log = (out_dir / "logs" / f"{p['instance']}.log").read_text()
        assert '"spot_notice"' not in log
    slos = {s["metric"]: s for s in run.results["slos"]}
    failed = slos["preemption_failed_requests"]
    assert not failed["passed"] and failed["measured"] > 0
    html = (out_dir / "report.html").read_text()
    assert "kept routing to it until it was terminated" in html


def test_ctrl_c_during_a_notice_cancels_the_preemption_and_leaves_nothing(out_dir: Path) -> None:
    proc = start_harness(
        out_dir, SCENARIOS / "spot-preemption.yaml", "--time-scale", SCALE, "--backend", "process"
    )
    try:
        # A wait, not a timed assertion: beside an example's MLflow containers starting on the
        # same 2 cores, this harness took 85 s to reach its proxy (a fresh-clone CI run).
        wait_for_line(out_dir / "events.jsonl", '"SpotNotice"', timeout=240)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 3, stderr[-2000:]
    results = json.loads((out_dir / "results.json").read_text())
    assert results["complete"] is False
    types = [e["type"] for e in results["events"]]
    assert "SpotNotice" in types and "InstancePreempted" not in types  # cancelled, not run
    assert not list((out_dir / "metadata").glob("*.json"))  # no notice left showing
    assert_nothing_left(out_dir, proc.pid)
