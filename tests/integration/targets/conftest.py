"""Shared helpers for target tests: free ports, target subprocesses that log JSON lines."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from targets.model import ModelArtifacts, build_model

REPO = Path(__file__).resolve().parents[3]
PYTHON = sys.executable


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TargetProcess:
    """A target server subprocess whose stdout JSON lines are collected as events."""

    def __init__(self, name: str, args: list[str]) -> None:
        self.name = name
        env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [PYTHON, *args],
            cwd=REPO,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.events: list[dict[str, Any]] = []
        self.stderr: list[str] = []
        self._cond = threading.Condition()
        self._eof = False
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        self.port: int | None = None

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                event = {"event": "non-json", "line": line}
            with self._cond:
                self.events.append(event)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)

    def wait_event(
        self,
        name: str,
        timeout: float = 30.0,
        where: Callable[[dict[str, Any]], bool] = lambda e: True,
    ) -> dict[str, Any]:
        """Return the first event named `name` matching `where`; fail on timeout or exit."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self.events:
                    if event.get("event") == name and where(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    raise AssertionError(
                        f"{self.name}: no {name!r} event (rc={self.proc.poll()}); "
                        f"events={self.events[-5:]} stderr={''.join(self.stderr)[-2000:]}"
                    )
                self._cond.wait(min(left, 0.1))

    def ready(self, timeout: float = 30.0) -> dict[str, Any]:
        """Wait for the ready line and remember the port it reports."""
        event = self.wait_event("ready", timeout)
        self.port = int(event["port"])
        return event

    @property
    def url(self) -> str:
        """Return the base URL of the ready server."""
        assert self.port is not None, "call ready() first"
        return f"http://127.0.0.1:{self.port}"

    def signal(self, sig: signal.Signals) -> None:
        """Send a signal to the process."""
        self.proc.send_signal(sig)

    def kill(self) -> None:
        """SIGKILL the process and reap it."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


class Targets:
    """Start target subprocesses and guarantee every one is killed at the end."""

    def __init__(self) -> None:
        self.started: list[TargetProcess] = []

    def start(self, name: str, module: str, *args: str) -> TargetProcess:
        """Start `python -m module args...` (not yet waited for)."""
        proc = TargetProcess(name, ["-m", module, *args])
        self.started.append(proc)
        return proc

    def inference(
        self, model: Path, instance: str, region: str, *extra: str, port: int | None = None
    ) -> TargetProcess:
        """Start an inference server on a free port (call .ready() to wait for it)."""
        return self.start(
            instance,
            "targets.inference.server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port if port is not None else free_port()),
            "--model",
            str(model),
            "--instance",
            instance,
            "--region",
            region,
            *extra,
        )

    def gateway(self, config: Path, *extra: str) -> TargetProcess:
        """Start a gateway on a free port (call .ready() to wait for it)."""
        return self.start(
            "gateway",
            "targets.gateway.server",
            "--host",
            "127.0.0.1",
            "--port",
            str(free_port()),
            "--config",
            str(config),
            *extra,
        )

    def close(self) -> None:
        """Kill every process started here."""
        for proc in self.started:
            try:
                proc.kill()
            except (OSError, subprocess.TimeoutExpired) as exc:  # keep killing the rest
                print(f"could not kill {proc.name}: {exc!r}", file=sys.stderr)


@pytest.fixture(name="free_port")
def free_port_fixture() -> Callable[[], int]:
    """Return the free-port helper."""
    return free_port


@pytest.fixture
def procs() -> Iterator[Targets]:
    """Start target processes for one test; all are killed afterwards."""
    group = Targets()
    try:
        yield group
    finally:
        group.close()


@pytest.fixture(scope="module")
def module_procs() -> Iterator[Targets]:
    """Start target processes shared by one test module; all are killed afterwards."""
    group = Targets()
    try:
        yield group
    finally:
        group.close()


@pytest.fixture(scope="session")
def model(tmp_path_factory: pytest.TempPathFactory) -> ModelArtifacts:
    """Build the reference model once per test session."""
    return build_model(tmp_path_factory.mktemp("model"), seed=7)
