"""The engine going away mid-run: primitives and teardown fail clearly, cleanup recovers later."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from docker_support import SocketRelay, leftovers, stub

from harness.backends.base import RunInfo
from harness.backends.docker import DockerBackend
from harness.cleanup import cleanup
from harness.errors import BackendError


@pytest.fixture
def relay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: RunInfo, engine: docker.DockerClient
) -> Iterator[SocketRelay]:
    """The backend under test reaches the real engine only through a relay the test can cut."""
    if not Path("/var/run/docker.sock").exists():
        pytest.skip("the engine is not on /var/run/docker.sock")
    relay = SocketRelay(tmp_path / "engine.sock").start()
    monkeypatch.setenv("DOCKER_HOST", f"unix://{relay.path}")
    yield relay
    relay.cut()
    monkeypatch.undo()
    cleanup(run.run_id)  # whatever the test left, through the real socket


def test_engine_lost_mid_run(
    relay: SocketRelay,
    run: RunInfo,
    image: str,
    engine: docker.DockerClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backend = DockerBackend(run, images={"stub": image})
    backend.prepare(lambda _msg: None)
    handle = backend.start(stub("inst", "r1"))
    backend.wait_ready(handle, 30)
    relay.cut()
    with pytest.raises(BackendError, match="Docker engine does not answer") as err:
        backend.kill(handle, signal.SIGKILL)
    assert err.value.hint is not None and "--backend process" in err.value.hint
    with pytest.raises(BackendError, match=f"teardown of run {run.run_id} incomplete") as err:
        backend.teardown()
    assert err.value.hint == f"once the engine answers: `harness cleanup --run {run.run_id}`"
    assert leftovers(engine, run.run_id)  # the engine itself is fine: things are still there
    monkeypatch.undo()  # the engine is back: the real socket again
    report = cleanup(run.run_id)  # what the user is told to run
    assert len(report.removed) == 5 and not report.failed  # 2 containers, 3 networks
    assert leftovers(engine, run.run_id) == []
