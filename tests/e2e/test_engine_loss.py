"""The Docker engine vanishing mid-run: results so far are written, marked incomplete, exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    ROOT,
    SCENARIOS,
    assert_nothing_left,
    docker_leftovers,
    harness_argv,
    require_docker,
    wait_for_line,
)

sys.path.insert(0, str(ROOT / "tests" / "integration" / "docker"))
from docker_support import SocketRelay

pytestmark = pytest.mark.e2e


def test_engine_lost_mid_run_writes_incomplete_results(tmp_path: Path) -> None:
    require_docker()
    if not Path("/var/run/docker.sock").exists():
        pytest.skip("the engine is not on /var/run/docker.sock")
    relay = SocketRelay(tmp_path / "engine.sock").start()
    out = tmp_path / "run"
    env = {**os.environ, "DOCKER_HOST": f"unix://{relay.path}"}
    argv = harness_argv(
        "run",
        str(SCENARIOS / "regional-outage.yaml"),
        "--out",
        str(out),
        "--backend",
        "docker",
        "--time-scale",
        "0.1",
    )
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env
    )
    try:
        wait_for_line(out / "events.jsonl", '"FaultInjected"', timeout=120)
        relay.cut()
        _, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
        relay.cut()
    assert proc.returncode == 4, stderr[-2000:]
    results = json.loads((out / "results.json").read_text())
    assert results["complete"] is False and results["verdict"] == "incomplete"
    assert "teardown" in results["incomplete_reason"]
    assert results["totals"]["requests"] > 0 and (out / "report.html").exists()
    assert f"harness cleanup --run {results['run_id']}" in stderr
    assert docker_leftovers(results["run_id"])  # the engine itself is fine: things remain
    subprocess.run(
        harness_argv("cleanup", "--run", results["run_id"]),
        check=True,
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    assert_nothing_left(out, proc.pid)
