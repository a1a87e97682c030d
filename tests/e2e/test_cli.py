"""The CLI as a user meets it: bad input, Ctrl-C and SIGTERM mid-run, nothing left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    ROOT,
    SCENARIOS,
    assert_nothing_left,
    harness_argv,
    start_harness,
    variant,
    wait_for_line,
)

pytestmark = pytest.mark.e2e


def test_bad_scenario_exits_2_with_places_and_starts_nothing(tmp_path: Path) -> None:
    scenario = variant(
        tmp_path,
        "regional-outage.yaml",
        {
            "target: {region: us-east-1}": "target: {region: us-east-9}",
            "rate: 40": "rate: 40\n  rat: 1",
        },
    )
    out = tmp_path / "run"
    proc = subprocess.run(
        harness_argv("run", str(scenario), "--out", str(out), "--backend", "process"),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert f"{scenario}:22:3: unknown key 'rat'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_validate_reports_every_error(tmp_path: Path) -> None:
    scenario = variant(
        tmp_path, "latency-spike.yaml", {"jitter: 50ms": "jitter: -50ms", "rate: 40": "rate: lots"}
    )
    proc = subprocess.run(
        harness_argv("validate", str(scenario), str(SCENARIOS / "latency-spike.yaml")),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert proc.stderr.count(str(scenario)) == 2 and "2 errors found" in proc.stderr
    assert "latency-spike.yaml: ok" in proc.stdout


# Each backend gets one signal: what differs between backends is the teardown, and both signals
# take the same path in the harness (tests/unit/core/test_cleanup.py checks both in-process).
@pytest.mark.parametrize(
    ("backend", "sig"),
    [("process", signal.SIGINT), ("docker", signal.SIGTERM)],
    indirect=["backend"],
)
def test_signal_mid_fault_reverts_and_writes_incomplete_results(
    out_dir: Path, sig: signal.Signals, backend: str
) -> None:
    proc = start_harness(
        out_dir, SCENARIOS / "regional-outage.yaml", "--time-scale", "0.2", "--backend", backend
    )
    try:
        wait_for_line(out_dir / "events.jsonl", '"FaultInjected"', timeout=90)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 3, stderr[-2000:]  # INTERRUPTED, not BAD_INPUT
    results = json.loads((out_dir / "results.json").read_text())
    assert results["complete"] is False and results["verdict"] == "incomplete"
    assert sig.name in results["incomplete_reason"]
    events = [json.loads(line) for line in (out_dir / "events.jsonl").read_text().splitlines()]
    reverted = [e for e in events if e["type"] == "FaultReverted"]
    assert reverted and reverted[0]["data"]["error"] is None
    assert (out_dir / "report.html").exists()
    assert_nothing_left(out_dir, proc.pid)


def test_stack_that_cannot_start_exits_2_naming_the_service(tmp_path: Path) -> None:
    out = tmp_path / "run"
    env = {**os.environ, "HARNESS_START_TIMEOUT": "0.001"}
    proc = start_harness(out, SCENARIOS / "regional-outage.yaml", "--backend", "process", env=env)
    try:
        _, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 2, stderr[-2000:]
    assert "error: netproxy (netproxy, port" in stderr
    assert "did not become ready within 0.001s" in stderr
    assert "Traceback" not in stderr
    assert_nothing_left(out, proc.pid)
