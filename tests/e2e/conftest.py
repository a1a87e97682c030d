"""E2E helpers: run the CLI as a user would, and check that nothing is left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"


@dataclass
class RunResult:
    """A finished `harness run`: exit code, output, and what it wrote."""

    code: int
    stdout: str
    stderr: str
    out_dir: Path

    @property
    def results(self) -> dict[str, Any]:
        return json.loads((self.out_dir / "results.json").read_text())


def harness_argv(*args: str) -> list[str]:
    """argv for the harness CLI in this interpreter."""
    return [sys.executable, "-m", "harness", *args]


def run_harness(out_dir: Path, scenario: Path, *args: str, timeout: float = 240) -> RunResult:
    """Run `harness run` to completion (killed on timeout) and check nothing is left behind."""
    proc = start_harness(out_dir, scenario, *args)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    finally:
        proc.kill()
    assert_nothing_left(out_dir, proc.pid)
    return RunResult(proc.returncode, stdout, stderr, out_dir)


def start_harness(
    out_dir: Path, scenario: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """Start `harness run` in the background (for signal tests)."""
    argv = harness_argv("run", str(scenario), "--out", str(out_dir), *args)
    return subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env
    )


def wait_for_line(path: Path, needle: str, timeout: float) -> None:
    """Wait until a file contains `needle`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and needle in path.read_text(errors="replace"):
            return
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} did not appear in {path} within {timeout}s")


def leftover_processes(owner_pid: int) -> list[psutil.Process]:
    """Live processes that the harness process `owner_pid` started (they carry its pid).

    Only that run's: tests run side by side (pytest-xdist), and another run's processes are
    alive because that run is.
    """
    found = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if proc.status() == psutil.STATUS_ZOMBIE:  # holds nothing; init here may not reap
                continue
            env = proc.environ()
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
        if env.get("HARNESS_IN_CONTAINER"):  # inside a container: checked through the engine
            continue
        if env.get("HARNESS_OWNER_PID") == str(owner_pid) and proc.pid != os.getpid():
            found.append(proc)
    return found


def assert_nothing_left(out_dir: Path, owner_pid: int) -> None:
    """No process, container or network of the run and no port it used is still alive.

    `owner_pid` is the pid of the `harness run` process (the run id is not known when the run
    failed before writing results).
    """
    deadline = time.monotonic() + 5
    while leftover_processes(owner_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [_describe(proc) for proc in leftover_processes(owner_pid)]
    assert not left, f"processes left behind: {left}"
    results = out_dir / "results.json"
    run_id = json.loads(results.read_text())["run_id"] if results.exists() else None
    if _docker_available():
        left_in_docker = docker_leftovers(run_id, owner_pid)
        assert not left_in_docker, f"left in docker: {left_in_docker}"
    config = out_dir / "config" / "gateway.json"
    if config.exists() and "127.0.0.1" in config.read_text():
        for region in json.loads(config.read_text())["regions"]:
            for inst in region["instances"]:
                port = int(inst["url"].rsplit(":", 1)[1])
                assert not _listening(port), f"port {port} still open after the run"


def _describe(proc: psutil.Process) -> str:
    """The command line of a leftover, which is then killed (it may end on its own meanwhile)."""
    try:
        line = " ".join(proc.cmdline())
        proc.send_signal(signal.SIGKILL)
    except psutil.Error:
        return f"pid {proc.pid} (ended)"
    return line


def _listening(port: int) -> bool:
    return any(
        c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN
        for c in psutil.net_connections("tcp")
    )


@pytest.fixture()
def out_dir(tmp_path: Path) -> Path:
    """A run folder."""
    return tmp_path / "run"


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The backend of an e2e run: process, unless the test is marked `on_both_backends`.

    docker needs an engine (a failure under CI=true, a skip elsewhere).
    """
    name = str(getattr(request, "param", "process"))
    if name == "docker":
        require_docker()
    return name


# Only where the backend does the work (kill, freeze, isolate, signals, spot termination):
# latency, data, drift and scoring behave the same on both, so they run on process only.
on_both_backends = pytest.mark.parametrize("backend", ["process", "docker"], indirect=True)


def require_docker() -> None:
    """Fail under CI=true, skip elsewhere, when no Docker engine answers."""
    from harness.backends.docker_engine import engine_answers
    from harness.settings import is_ci

    if engine_answers():
        return
    message = "no Docker engine answers (make test starts one when run as root on Debian)"
    if is_ci():
        pytest.fail(message)
    pytest.skip(message)


def _docker_available() -> bool:
    from harness.backends.docker_engine import engine_answers

    return engine_answers()


def docker_leftovers(run_id: str | None = None, owner_pid: int | None = None) -> list[str]:
    """Containers and networks of one run (by run id, else by its harness's pid), or of any."""
    import docker

    if run_id:
        label = f"harness.run-id={run_id}"
    elif owner_pid is not None:
        label = f"harness.owner-pid={owner_pid}"
    else:
        label = "harness.run-id"
    client = docker.from_env(version="auto")
    try:
        containers = client.containers.list(all=True, filters={"label": label})
        networks = client.networks.list(filters={"label": label})
        return [f"container {c.name}" for c in containers] + [f"network {n.name}" for n in networks]
    finally:
        client.close()


def variant(tmp_path: Path, base: str, replacements: dict[str, str]) -> Path:
    """A copy of a shipped scenario with text replaced (each replacement must apply)."""
    text = (SCENARIOS / base).read_text()
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / base
    path.write_text(text)
    return path


# Longest first, so that the two xdist workers finish together (seconds, measured on 2 cores).
_EXPECTED_S = {
    "test_corrupted_data_drops_accuracy_and_recovers": 60,
    "test_two_waves_with_draining_fail_no_request": 50,
    "test_without_the_handler_requests_fail_and_the_report_says_why": 48,
    "test_dr_replication_loses_what_was_not_replicated": 39,
    "test_partition_holds_replication_back_and_loses_nothing": 38,
    "test_dr_replication_sync_loses_nothing": 36,
    "test_recovery_time_is_calibrated_against_a_known_outage": 32,
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start the long scenarios first: a long one picked up last would run on alone."""
    items.sort(key=lambda item: -_EXPECTED_S.get(item.name.split("[")[0], 20))
