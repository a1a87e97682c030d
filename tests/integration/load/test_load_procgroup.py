"""The worker's process group can always be ended, and the worker ends when the harness goes away."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from fake_gateway import FakeGateway

from harness.load.procgroup import spawn_in_group, stop_group
from harness.load.runner import package_root, worker_argv
from harness.load.spec import LoadSpec, LoadSummary

pytestmark = pytest.mark.integration

STUBBORN = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('up', flush=True); time.sleep(60)"
)


def test_stop_group_escalates_to_sigkill(tmp_path: Path) -> None:
    proc = spawn_in_group(
        [sys.executable, "-c", STUBBORN],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None and proc.stdout.readline() == b"up\n"
    t = time.monotonic()
    assert stop_group(proc, grace_s=0.5) == -signal.SIGKILL
    assert time.monotonic() - t < 5
    assert not psutil.pid_exists(proc.pid)
    proc.stdout.close()


@pytest.mark.parametrize("how", ["close-stdout", "sigint"])
def test_worker_stops_when_harness_goes_away_or_on_sigint(
    how: str, gateway: FakeGateway, holdout: Path, tmp_path: Path
) -> None:
    spec = LoadSpec(gateway.url, holdout, 20.0, 60.0, time.time(), seed=1, timeout_s=0.5)
    spec.write(tmp_path / "spec.json")
    log = tmp_path / "worker.log"
    with log.open("wb") as log_fh:
        proc = spawn_in_group(
            worker_argv(tmp_path / "spec.json"),
            cwd=package_root(),
            stdout=subprocess.PIPE,
            stderr=log_fh,
        )
    assert proc.stdout is not None
    try:
        assert proc.stdout.readline().startswith(b'{"t_start"')
        if how == "close-stdout":
            proc.stdout.close()
        else:
            proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        stop_group(proc, grace_s=1.0)
    lines = log.read_text().splitlines()
    summary = LoadSummary.from_line(lines[-1])
    assert summary is not None and summary.sent < spec.planned_requests
    expected = "sample stream closed by the harness" if how == "close-stdout" else "signal"
    assert summary.stopped_by == expected
