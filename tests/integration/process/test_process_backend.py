"""The process backend with real subprocesses: start, kill, pause, stop, restart and teardown."""

from __future__ import annotations

import os
import secrets
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import requests

from harness.backends import process as process_backend
from harness.backends.base import InstanceHandle, RunInfo, ServiceSpec, Sidecar
from harness.backends.process import ProcessBackend
from harness.errors import BackendError, StackStartError
from harness.settings import OWNER_PID_ENV, RUN_ID_ENV

ROOT = Path(__file__).resolve().parents[3]
STUB = "tests.integration.process.stub_service"
pytestmark = pytest.mark.integration

READY_S = 20.0  # a generous ceiling on two shared cores; a ready stub answers in well under 1 s


def stub(name: str, mode: str = "ok", sidecars: tuple[Sidecar, ...] = ()) -> ServiceSpec:
    """A stub instance, run from this checkout whatever the working directory."""
    return ServiceSpec(
        name,
        "stub",
        "r1",
        STUB,
        ("--mode", mode),
        env={"PYTHONPATH": str(ROOT)},
        sidecars=sidecars,
    )


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[ProcessBackend]:
    """A backend of a fresh run; torn down after the test, and anything it left is killed."""
    run = RunInfo(f"t{secrets.token_hex(4)}", tmp_path / "run", "process-test", ("r1",))
    backend = ProcessBackend(run)
    yield backend
    backend.teardown()
    for proc in run_processes(run.run_id):  # a failed test must not leave a copy running
        proc.kill()


def run_processes(run_id: str) -> list[psutil.Process]:
    """This harness's child processes that carry `run_id`, zombies aside."""
    found = []
    for proc in psutil.Process().children(recursive=True):
        try:
            if proc.status() != psutil.STATUS_ZOMBIE and proc.environ().get(RUN_ID_ENV) == run_id:
                found.append(proc)
        except psutil.NoSuchProcess:
            continue
    return found


def started(backend: ProcessBackend, spec: ServiceSpec) -> InstanceHandle:
    handle = backend.start(spec)
    backend.wait_ready(handle, READY_S)
    return handle


def refused(port: int) -> bool:
    """True when nothing listens on the port: the connection is refused, not left hanging."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            return False
    except ConnectionRefusedError:
        return True


def ready(handle: InstanceHandle, timeout_s: float = 5.0) -> int:
    return requests.get(handle.url + "/readyz", timeout=timeout_s).status_code


def test_a_started_instance_answers_and_logs_to_its_file(backend: ProcessBackend) -> None:
    handle = started(backend, stub("alpha"))
    assert ready(handle) == 200 and handle.running and not handle.paused
    assert handle.log_path == backend.run_dir / "logs" / "alpha.log"
    assert f"stub starting in mode ok on port {handle.port}" in handle.log_path.read_text()


def test_a_killed_instance_is_refused_at_once_then_restarts_on_its_port(
    backend: ProcessBackend,
) -> None:
    handle = started(backend, stub("alpha"))
    port = handle.port
    backend.kill(handle)
    assert not handle.running and refused(port)
    backend.restart(handle)
    backend.wait_ready(handle, READY_S)
    assert handle.port == port and handle.running and ready(handle) == 200
    assert handle.log_path.read_text().count("stub starting") == 2  # the log goes on


def test_a_paused_instance_keeps_requests_waiting_then_answers_them(
    backend: ProcessBackend,
) -> None:
    handle = started(backend, stub("alpha"))
    backend.pause(handle)
    assert handle.paused
    with pytest.raises(requests.Timeout):
        ready(handle, timeout_s=0.5)
    backend.resume(handle)
    assert not handle.paused and ready(handle) == 200


@pytest.mark.parametrize(("mode", "forced"), [("ok", False), ("ignore-term", True)])
def test_stop_sends_sigterm_and_sigkill_only_after_the_grace(
    backend: ProcessBackend, mode: str, forced: bool
) -> None:
    handle = started(backend, stub("alpha", mode))
    assert backend.stop(handle, grace_s=1.0) is forced
    assert not handle.running and refused(handle.port)
    assert run_processes(backend.run_id) == []


def test_stop_of_a_paused_instance_does_not_wait_for_the_grace_to_force_it(
    backend: ProcessBackend,
) -> None:
    handle = started(backend, stub("alpha"))
    backend.pause(handle)
    assert backend.stop(handle, grace_s=5.0) is False  # woken first, so SIGTERM is heard
    assert refused(handle.port)


def test_a_ready_timeout_names_the_instance_and_shows_its_log_tail(
    backend: ProcessBackend,
) -> None:
    handle = backend.start(stub("sleepy", "never-ready"))
    with pytest.raises(StackStartError) as err:
        backend.wait_ready(handle, 1.0)
    assert err.value.message == (
        f"sleepy (stub, region r1, port {handle.port}) did not become ready within 1s "
        "(GET /readyz: last HTTP 503, expected HTTP 200)"
    )
    assert err.value.hint is not None
    assert f"last lines of {handle.log_path}" in err.value.hint
    assert "stub starting in mode never-ready" in err.value.hint


def test_an_exit_at_start_names_the_instance_and_its_exit_code(backend: ProcessBackend) -> None:
    handle = backend.start(stub("broken", "exit"))
    with pytest.raises(StackStartError) as err:
        backend.wait_ready(handle, READY_S)
    assert (
        err.value.message
        == f"broken (stub, region r1, port {handle.port}) exited with code 3 while starting"
    )
    assert err.value.hint is not None and "configuration broken, giving up" in err.value.hint


def test_every_process_carries_the_run_id_and_the_owner_pid(backend: ProcessBackend) -> None:
    car = Sidecar("meta", STUB)
    started(backend, stub("alpha", sidecars=(car,)))
    started(backend, stub("beta"))
    procs = run_processes(backend.run_id)
    assert len(procs) == 3  # two instances and one sidecar
    for proc in procs:
        env = proc.environ()
        assert env[RUN_ID_ENV] == backend.run_id
        assert env[OWNER_PID_ENV] == str(os.getpid())


def test_teardown_removes_everything_leaves_no_port_open_and_can_run_twice(
    backend: ProcessBackend,
) -> None:
    handles = [
        started(backend, stub("alpha", sidecars=(Sidecar("meta", STUB),))),
        started(backend, stub("stubborn", "ignore-term")),
    ]
    backend.pause(started(backend, stub("frozen")))
    ports = [
        int(p.cmdline()[p.cmdline().index("--port") + 1]) for p in run_processes(backend.run_id)
    ]
    assert len(ports) == 4
    backend.teardown()
    assert run_processes(backend.run_id) == []
    assert [port for port in ports if not refused(port)] == []
    assert not any(h.running for h in handles)
    backend.teardown()


def test_restart_of_a_running_instance_leaves_it_the_only_copy(backend: ProcessBackend) -> None:
    # A restart must not start a second copy beside the first and lose track of the first:
    # stop() would then stop the copy, and the original would serve on after the run.
    handle = started(backend, stub("alpha"))
    (original,) = run_processes(backend.run_id)
    backend.restart(handle)
    assert ready(handle) == 200 and handle.running
    backend.stop(handle, grace_s=3.0)
    assert refused(handle.port) and not original.is_running()
    assert run_processes(backend.run_id) == []


def test_a_sigterm_kill_that_is_ignored_is_a_located_error_not_a_timeout(
    backend: ProcessBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(process_backend, "TERM_WAIT_S", 0.5)
    handle = started(backend, stub("deaf", "ignore-term"))
    with pytest.raises(BackendError, match=r"deaf did not exit within 0\.5s of SIGTERM"):
        backend.kill(handle, signal.SIGTERM)
    assert handle.running
