"""`harness cleanup` and the reaper at run start, against a real engine and real processes."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator

import docker
import psutil
import pytest
from docker_support import leftovers

from harness.backends.docker_names import (
    LABEL_INSTANCE,
    LABEL_OWNER_PID,
    LABEL_RUN_ID,
    LABEL_SCENARIO,
    LABEL_SERVICE,
)
from harness.cleanup import cleanup, reap_leftovers


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def fake_run(client: docker.DockerClient, image: str, owner: int) -> str:
    """Leave what a run owned by `owner` would: a labelled network and a running container."""
    run_id = f"fake-{secrets.token_hex(4)}"
    labels = {
        LABEL_RUN_ID: run_id,
        LABEL_SCENARIO: "fake",
        LABEL_SERVICE: "stub",
        LABEL_INSTANCE: "stub-0",
        LABEL_OWNER_PID: str(owner),
    }
    net = client.networks.create(f"harness-{run_id}-r1", driver="bridge", labels=labels)
    client.containers.run(
        image,
        ["sleep", "300"],
        name=f"harness-{run_id}-stub-0",
        labels=labels,
        network=net.name,
        detach=True,
    )
    return run_id


def marked_sleeper(run_id: str, owner: int) -> subprocess.Popen[bytes]:
    """A process as the process backend starts them: HARNESS_RUN_ID and HARNESS_OWNER_PID set."""
    env = {**os.environ, "HARNESS_RUN_ID": run_id, "HARNESS_OWNER_PID": str(owner)}
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"], env=env)


def gone(proc: subprocess.Popen[bytes]) -> bool:
    """Whether the process was killed (the cleanup may have reaped it already: status lost)."""
    return proc.wait(5) in (-9, 0) and not psutil.pid_exists(proc.pid)


@pytest.fixture
def runs(engine: docker.DockerClient) -> Iterator[list[str]]:
    """Run ids the test made up; whatever is left of them is removed afterwards."""
    made: list[str] = []
    yield made
    for run_id in made:
        cleanup(run_id)
        assert leftovers(engine, run_id) == []


def test_reap_removes_dead_owners_and_keeps_live_ones(
    engine: docker.DockerClient, image: str, runs: list[str]
) -> None:
    dead, live = fake_run(engine, image, dead_pid()), fake_run(engine, image, os.getpid())
    runs += [dead, live]
    dead_proc, live_proc = marked_sleeper(dead, dead_pid()), marked_sleeper(live, os.getpid())
    try:
        report = reap_leftovers()
        assert report.engine_checked
        assert leftovers(engine, dead) == []
        assert leftovers(engine, live) == [
            f"container harness-{live}-stub-0",
            f"network harness-{live}-r1",
        ]
        assert f"container harness-{dead}-stub-0 (run {dead})" in report.removed
        assert f"network harness-{dead}-r1 (run {dead})" in report.removed
        assert any(f"process {dead_proc.pid} " in item for item in report.removed)
        assert gone(dead_proc)
        assert live_proc.poll() is None
    finally:
        live_proc.kill()
        live_proc.wait()


def test_cleanup_of_one_run_removes_it_even_when_live(
    engine: docker.DockerClient, image: str, runs: list[str]
) -> None:
    mine, other = fake_run(engine, image, os.getpid()), fake_run(engine, image, os.getpid())
    runs += [mine, other]
    proc = marked_sleeper(mine, os.getpid())
    report = cleanup(mine)
    assert leftovers(engine, mine) == []
    assert len(leftovers(engine, other)) == 2  # another run is left alone
    assert gone(proc)
    assert len(report.removed) == 3 and not report.failed
    assert cleanup(mine).removed == ()  # nothing left the second time
