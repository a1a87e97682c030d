"""An own inference service on the process backend: the user's command stood up and answering,
and each way it can fail to start named with its cause and log tail, with nothing left running."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
import requests

from harness.backends.base import InstanceHandle, RunInfo, ServiceSpec
from harness.backends.process import ProcessBackend
from harness.errors import StackStartError
from harness.own_service import own_service_spec
from harness.scenario.model import InferenceSpec
from harness.scenario.paths import BASE_DIR
from harness.scenario.topology import InstancePlan
from harness.settings import RUN_ID_ENV
from harness.venvs import ensure_venv

pytestmark = pytest.mark.integration

NAME = "inference-r1-0"
READY_S = 20.0  # a generous ceiling on two shared cores; the server answers in well under 1 s

# The user's server: GET /health answers 200 (or 503 with --never-ready), POST echoes the env.
SERVER = """\
import json, os, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, mode = int(sys.argv[1]), (sys.argv[2] if len(sys.argv) > 2 else "ok")
print(f"my server starting on {port} in mode {mode}", flush=True)
if mode == "exit":
    print("my server: no model file, giving up", flush=True)
    sys.exit(4)

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        status = 200 if self.path == "/health" and mode == "ok" else 503
        if self.path != "/health":
            status = 404
        self.send_response(status)
        self.end_headers()

    def do_POST(self):
        keys = ("GRPC_PORT", "HARNESS_INSTANCE", "HARNESS_REGION", "VIRTUAL_ENV")
        body = json.dumps({k: os.environ.get(k) for k in keys} | {"python": sys.executable})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[ProcessBackend]:
    """A backend of a fresh run, torn down after the test (a leftover is killed, then fails it)."""
    run = RunInfo(f"t{secrets.token_hex(4)}", tmp_path / "run", "own-test", ("r1",))
    backend = ProcessBackend(run)
    (tmp_path / "server.py").write_text(SERVER)
    yield backend
    backend.teardown()
    left = run_processes(run.run_id)
    for proc in left:
        proc.kill()
    assert not left, f"left running after teardown: {left}"


def run_processes(run_id: str) -> list[psutil.Process]:
    """Processes (not zombies) that carry `run_id`, whoever their parent is now."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.status() != psutil.STATUS_ZOMBIE and proc.environ().get(RUN_ID_ENV) == run_id:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def own(tmp_path: Path, **fields: Any) -> ServiceSpec:
    """The spec of an own instance, from `inference:` fields as a scenario in tmp_path gives."""
    fields.setdefault("command", [sys.executable, "server.py", "{port}"])
    fields.setdefault("health", {"path": "/health", "timeout": READY_S})
    service = InferenceSpec.model_validate(fields, context={BASE_DIR: tmp_path})
    return own_service_spec(InstancePlan(NAME, "inference", "r1"), service)


def start_error(backend: ProcessBackend, spec: ServiceSpec) -> StackStartError:
    """The error starting `spec` raises, in start or while waiting for it (teardown follows)."""
    with pytest.raises(StackStartError) as err:
        handle = backend.start(spec)
        backend.wait_ready(handle, READY_S)
    backend.teardown()
    assert not run_processes(backend.run_id)  # nothing of the failed start runs on
    return err.value


def answer(handle: InstanceHandle) -> dict[str, Any]:
    reply = requests.post(handle.url + "/v2/models/m/infer", json={}, timeout=5)
    assert reply.status_code == 200
    body: dict[str, Any] = reply.json()
    return body


def test_the_users_command_is_stood_up_in_the_scenario_folder_and_answers(
    tmp_path: Path, backend: ProcessBackend
) -> None:
    spec = own(tmp_path, env={"GRPC_PORT": "{port:grpc}"})
    handle = backend.start(spec)
    backend.wait_ready(handle, READY_S)  # server.py is found: it ran in the scenario's folder
    body = answer(handle)
    assert body["HARNESS_INSTANCE"] == NAME and body["HARNESS_REGION"] == "r1"
    grpc = body["GRPC_PORT"]
    assert grpc.isdigit() and int(grpc) != handle.port
    backend.kill(handle)
    backend.restart(handle)
    backend.wait_ready(handle, READY_S)
    assert answer(handle)["GRPC_PORT"] == grpc  # a named port is kept across restarts


def test_a_launcher_and_the_server_it_forks_are_both_stopped(
    tmp_path: Path, backend: ProcessBackend
) -> None:
    launcher = ["sh", "-c", f"{sys.executable} server.py {{port}} & wait"]
    handle = backend.start(own(tmp_path, command=launcher))
    backend.wait_ready(handle, READY_S)
    assert len(run_processes(backend.run_id)) == 2
    backend.teardown()  # the fixture checks that neither is left


def test_requirements_make_a_cached_venv_whose_python_runs_the_command(
    tmp_path: Path, backend: ProcessBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "requirements.txt").write_text("# nothing beyond the standard library\n")
    said: list[str] = []
    backend.prepare(said.append)
    command = ["{venv}/bin/python", "server.py", "{port}"]
    handle = backend.start(own(tmp_path, command=command, requirements="requirements.txt"))
    backend.wait_ready(handle, READY_S)
    venv = answer(handle)["VIRTUAL_ENV"]
    assert Path(venv).parent == tmp_path / "cache" / "venvs"
    assert answer(handle)["python"] == f"{venv}/bin/python"
    assert any("making a venv for" in line for line in said)
    said.clear()
    assert ensure_venv(tmp_path / "requirements.txt", said.append) == Path(venv)
    assert said == []  # made once: the next instance (or run) reuses it


def test_a_requirements_file_pip_rejects_is_a_start_error_with_pips_lines(
    tmp_path: Path, backend: ProcessBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "requirements.txt").write_text("this is not == a requirement\n")
    error = start_error(backend, own(tmp_path, requirements="requirements.txt"))
    assert error.message.startswith(f"{NAME} (inference, region r1, port ")
    assert "has no venv: could not install" in error.message
    assert "pip install -r exited with code" in error.message
    assert "Invalid requirement" in error.message  # pip's own words
    assert not list((tmp_path / "cache" / "venvs").glob("*/bin"))  # no half venv is kept


def test_a_command_not_found_names_the_instance_and_says_where_to_look(
    tmp_path: Path, backend: ProcessBackend
) -> None:
    error = start_error(backend, own(tmp_path, command=["no-such-server", "{port}"]))
    assert error.message.startswith(f"{NAME} (inference, region r1, port ")
    assert "command 'no-such-server' cannot run: No such file or directory" in error.message
    assert error.hint is not None
    assert "is it on PATH?" in error.hint and "{venv}/bin" in error.hint
    assert "harness: running ['no-such-server'" in error.hint  # the log tail


def test_a_command_that_exits_at_once_is_named_with_its_exit_code_and_log(
    tmp_path: Path, backend: ProcessBackend
) -> None:
    spec = own(tmp_path, command=[sys.executable, "server.py", "{port}", "exit"])
    error = start_error(backend, spec)
    assert error.message.startswith(f"{NAME} (inference, region r1, port ")
    assert error.message.endswith("exited with code 4 while starting")
    assert error.hint is not None and "my server: no model file, giving up" in error.hint


def test_a_server_never_ready_says_what_its_health_path_last_answered(
    tmp_path: Path, backend: ProcessBackend
) -> None:
    spec = own(
        tmp_path,
        command=[sys.executable, "server.py", "{port}", "never-ready"],
        health={"path": "/health", "timeout": "1s"},
    )
    error = start_error(backend, spec)
    assert error.message.endswith(
        "did not become ready within 1s (GET /health: last HTTP 503, expected HTTP 200)"
    )
    assert error.hint is not None and "my server starting on" in error.hint


def test_a_health_path_answering_404_fails_fast_and_asks_about_the_protocol(
    tmp_path: Path, backend: ProcessBackend
) -> None:
    # A long timeout: the 404 must end the wait long before it.
    spec = own(tmp_path, health={"path": "/v2/health/ready", "timeout": "10m"}, protocol="mlflow")
    error = start_error(backend, spec)
    assert error.message.endswith(
        "health path /v2/health/ready answers HTTP 404, expected 200: "
        "is the path right, does the server speak mlflow?"
    )
    assert error.hint is not None and "my server starting on" in error.hint
