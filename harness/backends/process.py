"""Backend `process`: every instance is a local subprocess on a free 127.0.0.1 port."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import requests

from harness.backends.base import (
    BACKENDS,
    Backend,
    InstanceHandle,
    Placeholders,
    ReadyWatch,
    RemoveOwner,
    RunInfo,
    ServiceSpec,
    Sweep,
    log_tail,
)
from harness.backends.process_sweep import sweep_processes
from harness.errors import BackendError, StackStartError
from harness.settings import OWNER_PID_ENV, RUN_ID_ENV
from harness.venvs import VenvError, ensure_venv

TERM_WAIT_S = 10.0  # how long kill(SIGTERM) waits for the instance to exit
POLL_S = 0.05
HOST = "127.0.0.1"


def free_port() -> int:
    """A port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@BACKENDS.register("process")
class ProcessBackend(Backend):
    """Subprocesses in their own sessions (Ctrl-C reaches the harness, which reverts first)."""

    name = "process"

    @classmethod
    def available(cls) -> tuple[bool, str]:
        """Local subprocesses run anywhere."""
        return True, "local subprocesses run anywhere"

    @classmethod
    def sweep_leftovers(cls, run_id: str | None, remove_owner: RemoveOwner) -> Sweep:
        """Kill the processes earlier runs started (they carry the run id in their env)."""
        return sweep_processes(run_id, remove_owner)

    def __init__(self, run: RunInfo) -> None:
        super().__init__(run)
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._handles: dict[str, InstanceHandle] = {}
        self._sidecars: dict[str, dict[str, tuple[int, subprocess.Popen[bytes]]]] = {}
        self._named_ports: dict[str, dict[str, int]] = {}  # {port:NAME} of each instance
        self._venvs: dict[str, Path] = {}  # the venv of each own instance with requirements
        self._progress: Callable[[str], None] = lambda _msg: None
        (run.run_dir / "logs").mkdir(parents=True, exist_ok=True)

    def prepare(self, progress: Callable[[str], None]) -> None:
        """Keep `progress` for the slow first step of an own service: making its venv."""
        self._progress = progress

    def start(self, spec: ServiceSpec) -> InstanceHandle:
        """Spawn the instance on a free port; its output goes to logs/<name>.log."""
        handle = InstanceHandle(spec, free_port(), self.run_dir / "logs" / f"{spec.name}.log")
        if spec.command is None and not spec.module:
            self._fail(
                handle,
                "has no command: the process backend cannot run it",
                "give command: or use --backend docker",
            )
        if spec.requirements is not None:
            self._venvs[spec.name] = self._venv(handle, spec.requirements)
        self._handles[spec.name] = handle
        self._sidecars[spec.name] = {}
        for car in spec.sidecars:
            port, log = free_port(), self.run_dir / "logs" / f"{spec.name}-{car.name}.log"
            argv = self._argv(car.module, port, spec.resolved_args(_host_path, args=car.args))
            self._sidecars[spec.name][car.name] = (port, self._popen(argv, log, spec))
        self._spawn(handle)
        return handle

    def _venv(self, handle: InstanceHandle, requirements: Path) -> Path:
        try:
            return ensure_venv(requirements, self._progress)
        except VenvError as exc:
            self._fail(handle, f"has no venv: {exc.message}", exc.hint)

    def _spawn(self, handle: InstanceHandle) -> None:
        spec = handle.spec
        if spec.command is not None:
            self._spawn_own(handle)
            return
        ports = self._sidecars.get(spec.name, {})
        args = spec.resolved_args(_host_path, lambda name: ports[name][0])
        argv = self._argv(spec.module, handle.port, args)
        self._procs[spec.name] = self._popen(argv, handle.log_path, spec)
        handle.running, handle.paused = True, False

    def _spawn_own(self, handle: InstanceHandle) -> None:
        """The user's command, in the scenario's folder, its venv's bin/ first on PATH."""
        spec = handle.spec
        venv = self._venvs.get(spec.name)
        values = self._placeholders(handle, venv)
        argv = spec.resolved_command(values)
        env = {}
        if venv is not None:
            env["PATH"] = os.pathsep.join([str(venv / "bin"), os.environ.get("PATH", "")])
            env["VIRTUAL_ENV"] = str(venv)
        env.update(spec.resolved_env(values))
        with handle.log_path.open("a") as log:  # so a failed start's log tail says what ran
            log.write(f"harness: running {argv} in {spec.cwd or Path.cwd()}\n")
        try:
            self._procs[spec.name] = self._popen(argv, handle.log_path, spec, env, spec.cwd)
        except OSError as exc:  # not found, not executable: nothing ran
            with handle.log_path.open("a") as log:
                log.write(f"harness: cannot run {argv[0]!r}: {exc.strerror or exc}\n")
            self._fail(handle, f"command {argv[0]!r} cannot run: {exc.strerror or exc}", _NOT_FOUND)
        handle.running, handle.paused = True, False

    def _placeholders(self, handle: InstanceHandle, venv: Path | None) -> Placeholders:
        name = handle.spec.name
        cars = self._sidecars.get(name, {})
        ports = self._named_ports.setdefault(name, {})
        return Placeholders(
            _host_path,
            sidecar_port=lambda car: cars[car][0],
            port=handle.port,
            host=HOST,
            named_port=lambda key: ports.setdefault(key, free_port()),  # kept across restarts
            venv=None if venv is None else str(venv),
        )

    @staticmethod
    def _argv(module: str, port: int, args: list[str]) -> list[str]:
        return [sys.executable, "-m", module, "--host", "127.0.0.1", "--port", str(port), *args]

    def _popen(
        self,
        argv: list[str],
        log_path: Path,
        spec: ServiceSpec,
        own_env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> subprocess.Popen[bytes]:
        extra = spec.env if own_env is None else own_env
        env = {**os.environ, **extra, RUN_ID_ENV: self.run_id, "PYTHONUNBUFFERED": "1"}
        env[OWNER_PID_ENV] = str(os.getpid())  # reap_leftovers tells crashed runs by it
        with log_path.open("ab") as log:
            return subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=cwd,
                start_new_session=True,
            )

    def wait_ready(self, handle: InstanceHandle, timeout_s: float) -> None:
        """Poll the ready path until its ready status; fail fast if the process exits.

        The spec's own timeout (an own service's health.timeout) replaces `timeout_s`. A path
        that keeps answering 404 fails at once: a server that is up says the path is wrong.
        """
        spec = handle.spec
        timeout_s = spec.ready_timeout_s if spec.ready_timeout_s is not None else timeout_s
        deadline = time.monotonic() + timeout_s
        proc = self._procs[spec.name]
        for name, (port, car) in self._sidecars.get(spec.name, {}).items():
            self._wait_sidecar(handle, name, port, car, deadline)
        watch = ReadyWatch(spec)
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                code = proc.returncode
                self._fail(handle, f"exited with code {code} while starting", _exit_hint(code))
            if watch.ready(handle.url):
                return
            if watch.failure:
                self._fail(handle, watch.failure)
            time.sleep(POLL_S)
        self._fail(handle, watch.timed_out(timeout_s))

    def _wait_sidecar(
        self,
        handle: InstanceHandle,
        name: str,
        port: int,
        proc: subprocess.Popen[bytes],
        deadline: float,
    ) -> None:
        while not _answers(f"http://127.0.0.1:{port}/healthz"):
            if proc.poll() is not None or time.monotonic() > deadline:
                self._fail(handle, f"sidecar {name} did not come up (port {port})")
            time.sleep(0.05)

    def _fail(self, handle: InstanceHandle, what: str, hint: str | None = None) -> NoReturn:
        spec, tail = handle.spec, log_tail(handle.log_path)
        where = f"region {spec.region}, " if spec.region else ""
        logs = f"last lines of {handle.log_path}:\n{tail}" if tail else f"see {handle.log_path}"
        raise StackStartError(
            f"{spec.name} ({spec.service}, {where}port {handle.port}) {what}",
            hint=f"{hint}\n{logs}" if hint else logs,
        )

    def restart(self, handle: InstanceHandle) -> None:
        """Start the instance again on its port; a no-op while it still runs (as for a container).

        A second copy would fail to bind the port, and its process would replace the running
        one in `_procs`, so stop and teardown would no longer reach the one still serving.
        """
        proc = self._procs.get(handle.spec.name)
        if proc is not None and proc.poll() is None:
            return
        self._spawn(handle)

    def stop(self, handle: InstanceHandle, grace_s: float = 5.0) -> bool:
        """SIGTERM (after SIGCONT if paused), then SIGKILL after the grace."""
        proc = self._procs.get(handle.spec.name)
        forced = False
        if proc is not None and proc.poll() is None:
            _signal(proc, signal.SIGCONT)
            forced = _terminate(proc, grace_s)
        handle.running = handle.paused = False
        return forced

    def kill(self, handle: InstanceHandle, sig: signal.Signals = signal.SIGKILL) -> None:
        """Send `sig` to the instance; wait for it to be gone when the signal is fatal."""
        proc = self._procs[handle.spec.name]
        _signal(proc, sig)
        if sig in (signal.SIGKILL, signal.SIGTERM):
            try:
                proc.wait(TERM_WAIT_S if sig == signal.SIGTERM else None)
            except subprocess.TimeoutExpired:
                raise BackendError(
                    f"{handle.spec.name} did not exit within {TERM_WAIT_S:g}s of SIGTERM",
                    hint="it ignores or outlasts SIGTERM: stop it with a grace, or SIGKILL it",
                ) from None
            handle.running = False

    def pause(self, handle: InstanceHandle) -> None:
        """SIGSTOP the instance."""
        _signal(self._procs[handle.spec.name], signal.SIGSTOP)
        handle.paused = True

    def resume(self, handle: InstanceHandle) -> None:
        """SIGCONT the instance."""
        _signal(self._procs[handle.spec.name], signal.SIGCONT)
        handle.paused = False

    def peer_address(self, handle: InstanceHandle) -> str:
        """Every process listens on 127.0.0.1."""
        return f"127.0.0.1:{handle.port}"

    def link_endpoint(self, proxy: InstanceHandle, index: int) -> tuple[str, str]:
        """A free loopback port per link, listened on and dialled alike."""
        address = f"127.0.0.1:{free_port()}"
        return address, address

    def teardown(self) -> None:
        """Stop every instance, in reverse start order, with a short grace."""
        for name in reversed(list(self._handles)):
            self.stop(self._handles[name], grace_s=3.0)
        for cars in self._sidecars.values():
            for _port, proc in cars.values():
                _terminate(proc, 3.0)
        self._procs.clear()
        self._handles.clear()
        self._sidecars.clear()


def _host_path(_name: str, host: Path) -> str:
    return str(host)


_NOT_FOUND = (
    "is it on PATH? A program of `requirements` is in {venv}/bin (also first on PATH); "
    "a relative path is relative to the scenario's folder"
)


def _exit_hint(code: int) -> str | None:
    if code == 127:  # the shell's "command not found"
        return f"exit code 127 is a command not found: {_NOT_FOUND}"
    return None


def _terminate(proc: subprocess.Popen[bytes], grace_s: float) -> bool:
    """SIGTERM, SIGKILL after the grace; True when the SIGKILL was needed."""
    _signal(proc, signal.SIGTERM)
    try:
        proc.wait(grace_s)
        forced = False
    except subprocess.TimeoutExpired:
        _signal(proc, signal.SIGKILL)
        proc.wait()
        forced = True
    # What the leader left behind in its group (workers of a launcher) goes with it.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    return forced


def _signal(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Signal the instance's whole process group (its own session), as a VM's processes die
    together: a user's command may be a launcher whose workers would outlive it otherwise."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(sig)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=0.5).status_code == 200
    except requests.RequestException:
        return False
