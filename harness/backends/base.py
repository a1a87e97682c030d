"""The backend protocol: start, health-gate, stop, kill, pause and tear down instances."""

from __future__ import annotations

import abc
import re
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import ClassVar

import requests

from harness.errors import BackendError
from harness.registry import Registry

LOG_TAIL_LINES = 15  # lines of an instance's log a start error shows

# Given the harness pid that owns a leftover (None when unknown): remove it?
RemoveOwner = Callable[[int | None], bool]


@dataclass
class Sweep:
    """What a leftover sweep removed and what it could not (each as `kind name: reason`)."""

    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: str = ""  # why the backend could not look at all (no engine answers), if so


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last lines of a log file (empty if there is none)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass(frozen=True)
class Sidecar:
    """A helper process beside an instance, in its network namespace, e.g. its metadata server.

    It runs `python -m module --host 127.0.0.1 --port P args` (mounts as its instance's) from
    the instance's start to the teardown: it outlives kills and restarts of the instance, the
    way a cloud's metadata service outlives the processes of a VM. The instance's args name its
    URL as `{sidecar:NAME}`.
    """

    name: str
    module: str
    args: tuple[str, ...] = ()


# `{key}` or `{key:NAME}` in an own service's command and env; `{{` and `}}` are literal braces.
PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}:]+))?\}")
PLAIN_PLACEHOLDERS = ("port", "host", "scenario_dir", "instance", "region", "venv")
NAMED_PLACEHOLDERS = ("port", "sidecar", "mount")  # {port:NAME}, {sidecar:NAME}, {mount:NAME}
SCENARIO_MOUNT = "scenario"  # an own instance's mount of the scenario's folder


def placeholders_in(text: str) -> list[tuple[str, str | None]]:
    """Each placeholder of `text` as (key, NAME or None), literal braces aside."""
    return [(m.group(1), m.group(2)) for m in PLACEHOLDER.finditer(text) if m.group(1)]


@dataclass(frozen=True)
class Placeholders:
    """What the placeholders of one instance stand for on one backend (docs/own-stack.md)."""

    mount_path: Callable[[str, Path], str]  # {mount:NAME}: where the instance sees the host path
    sidecar_port: Callable[[str], int] | None = None  # {sidecar:NAME}: http://127.0.0.1:<this>
    port: int | None = None  # {port}: where the instance listens
    host: str | None = None  # {host}: the address it binds
    named_port: Callable[[str], int] | None = None  # {port:NAME}: stable across restarts
    venv: str | None = None  # {venv}: process: the cached venv of `requirements`


@dataclass(frozen=True)
class ServiceSpec:
    """How to run one instance, whatever the backend: `python -m module --host H --port P args`.

    `args` may name a mounted file or folder as `{mount:NAME}`; the backend replaces it with
    where that host path is visible to the instance (itself for processes, a read-only bind
    mount for containers). `service` is also the image a container backend runs.
    """

    name: str
    service: str
    region: str | None
    module: str
    args: tuple[str, ...] = ()
    mounts: dict[str, Path] = field(default_factory=dict)
    ready_path: str = "/readyz"
    env: dict[str, str] = field(default_factory=dict)
    spans_regions: bool = False  # reaches every region (the proxy); others live in their own
    sidecars: tuple[Sidecar, ...] = ()
    # A user's own service (docs/own-stack.md); None/defaults for the reference services.
    command: tuple[str, ...] | None = None  # its own argv instead of `python -m module ...`
    image: str | None = None  # docker: the image to run instead of the service's own
    port: int = 8080  # docker: the port it listens on inside its container
    ready_status: int = 200  # what `ready_path` answers when the instance is ready
    ready_timeout_s: float | None = None  # its own start timeout (None: the run's)
    build: Path | None = None  # docker: a folder with a Dockerfile to build `image` from
    requirements: Path | None = None  # process: a venv of these (bin/ first on PATH); build: wheels
    cwd: Path | None = None  # process: where the command runs (the scenario's folder)
    protocol: str | None = None  # the protocol an own service speaks (named in errors)

    def resolved_args(
        self,
        mount_path: Callable[[str, Path], str],
        sidecar_port: Callable[[str], int] | None = None,
        args: tuple[str, ...] | None = None,
    ) -> list[str]:
        """`args` with `{mount:NAME}` → `mount_path(NAME, host_path)` and `{sidecar:NAME}` → its URL."""
        values = Placeholders(mount_path, sidecar_port)
        return [self.resolve(arg, values) for arg in (self.args if args is None else args)]

    def resolved_command(self, values: Placeholders) -> list[str]:
        """The own service's argv with every placeholder replaced (docs/own-stack.md)."""
        assert self.command is not None, f"{self.name} has no command"
        return [self.resolve(arg, values) for arg in self.command]

    def resolved_env(self, values: Placeholders) -> dict[str, str]:
        """`env` with every placeholder in its values replaced."""
        return {key: self.resolve(value, values) for key, value in self.env.items()}

    def resolve(self, text: str, values: Placeholders) -> str:
        """`text` with its placeholders replaced; `{{` and `}}` are literal braces.

        An unknown placeholder stays as written (`harness validate` reports it before a run);
        `{sidecar:NAME}` of a sidecar this instance does not have is empty (not on spot).
        """

        def one(match: re.Match[str]) -> str:
            whole = match.group(0)
            if whole in ("{{", "}}"):
                return whole[0]
            value = self._placeholder(match.group(1), match.group(2), values)
            return whole if value is None else value

        return PLACEHOLDER.sub(one, text)

    def _placeholder(self, key: str, name: str | None, values: Placeholders) -> str | None:
        if name is None:
            plain = {
                "port": None if values.port is None else str(values.port),
                "host": values.host,
                "instance": self.name,
                "region": self.region or "",
                "venv": values.venv,
                "scenario_dir": self._scenario_dir(values),
            }
            return plain.get(key)
        if key == "mount" and name in self.mounts:
            return values.mount_path(name, self.mounts[name])
        if key == "sidecar":
            if values.sidecar_port is None or name not in {c.name for c in self.sidecars}:
                return ""
            return f"http://127.0.0.1:{values.sidecar_port(name)}"
        if key == "port" and values.named_port is not None:
            return str(values.named_port(name))
        return None

    def _scenario_dir(self, values: Placeholders) -> str | None:
        # Where the instance sees the scenario's folder: its mount (containers bind it).
        if SCENARIO_MOUNT in self.mounts:
            return values.mount_path(SCENARIO_MOUNT, self.mounts[SCENARIO_MOUNT])
        return None if self.cwd is None else str(self.cwd)


# Start-up wording both backends share (an own service's errors read the same on either).
NOT_FOUND_FAIL_S = 2.0  # a health path answering 404 this long is wrong, not still starting


def probe(url: str) -> tuple[int | None, str]:
    """(status, what was seen) of one GET of a ready path; status None when nothing answered."""
    try:
        status = requests.get(url, timeout=0.5).status_code
    except requests.Timeout:
        return None, "no answer within 0.5s"
    except requests.ConnectionError as exc:
        return None, "connection refused" if "refused" in str(exc) else "connection failed"
    except requests.RequestException as exc:
        return None, type(exc).__name__
    return status, f"HTTP {status}"


@dataclass
class ReadyWatch:
    """An instance's ready path, polled by a backend's wait_ready until it answers its status.

    A path that keeps answering 404 sets `failure`: a server that is up says the path is wrong.
    """

    spec: ServiceSpec
    status: int | None = None  # the last answer (None: nothing answered)
    seen: str = "no answer yet"
    failure: str | None = None
    _not_found_since: float | None = None

    def ready(self, base_url: str) -> bool:
        """Probe once: True when the ready path answers `spec.ready_status`."""
        self.status, self.seen = probe(base_url + self.spec.ready_path)
        if self.status == self.spec.ready_status:
            return True
        if self.status != HTTPStatus.NOT_FOUND:
            self._not_found_since = None
            return False
        now = time.monotonic()
        self._not_found_since = self._not_found_since or now
        if now - self._not_found_since >= NOT_FOUND_FAIL_S:
            self.failure = health_not_found(self.spec)
        return False

    def timed_out(self, timeout_s: float) -> str:
        """Why the start failed once `timeout_s` passed."""
        return never_ready(self.spec, timeout_s, self.seen)


def health_not_found(spec: ServiceSpec) -> str:
    """Why a start stops early when the ready path keeps answering 404."""
    speaks = f"does the server speak {spec.protocol}" if spec.protocol else "is the server ours"
    return (
        f"health path {spec.ready_path} answers HTTP 404, expected {spec.ready_status}: "
        f"is the path right, {speaks}?"
    )


def never_ready(spec: ServiceSpec, timeout_s: float, seen: str) -> str:
    """Why a start failed once its timeout passed, with what the ready path answered last."""
    return (
        f"did not become ready within {timeout_s:g}s "
        f"(GET {spec.ready_path}: last {seen}, expected HTTP {spec.ready_status})"
    )


@dataclass
class InstanceHandle:
    """A started instance as the backend tracks it."""

    spec: ServiceSpec
    port: int
    log_path: Path
    running: bool = True
    paused: bool = False

    @property
    def url(self) -> str:
        """Base URL reachable from the harness (always on 127.0.0.1)."""
        return f"http://127.0.0.1:{self.port}"


@dataclass(frozen=True)
class RunInfo:
    """What a backend needs to know about the run it serves (labels, networks)."""

    run_id: str
    run_dir: Path
    scenario: str
    regions: tuple[str, ...]


class Backend(abc.ABC):
    """Runs instances for one run; `teardown` removes everything it started."""

    name: str = ""
    # `--backend auto` asks the available() of each backend, highest rank first.
    auto_rank: ClassVar[int] = 0

    @classmethod
    def available(cls) -> tuple[bool, str]:
        """Whether this backend can run instances here now, and why (`--backend auto`)."""
        return True, f"the {cls.name} backend runs anywhere"

    @classmethod
    def sweep_leftovers(cls, run_id: str | None, remove_owner: RemoveOwner) -> Sweep:
        """Remove what earlier runs of this backend left behind; nothing by default.

        Only what run `run_id` (or any run, when None) started and whose owner `remove_owner`
        accepts; never what this harness process started.
        """
        return Sweep()

    def __init__(self, run: RunInfo) -> None:
        self.run = run
        self.run_id = run.run_id
        self.run_dir = run.run_dir

    def prepare(self, progress: Callable[[str], None]) -> None:
        """Get ready to start instances (engine check, images, networks); nothing by default."""
        return None

    def disconnect(self, handle: InstanceHandle) -> None:
        """Cut the instance off its region's network."""
        raise BackendError(f"the {self.name} backend cannot disconnect networks")

    def reconnect(self, handle: InstanceHandle) -> None:
        """Undo `disconnect`."""
        raise BackendError(f"the {self.name} backend cannot disconnect networks")

    @abc.abstractmethod
    def start(self, spec: ServiceSpec) -> InstanceHandle:
        """Start an instance without waiting for it to be ready."""

    @abc.abstractmethod
    def wait_ready(self, handle: InstanceHandle, timeout_s: float) -> None:
        """Block until the instance answers its ready path; StackStartError with its log tail if not."""

    @abc.abstractmethod
    def restart(self, handle: InstanceHandle) -> None:
        """Start a stopped or killed instance again on the same port."""

    @abc.abstractmethod
    def stop(self, handle: InstanceHandle, grace_s: float = 5.0) -> bool:
        """SIGTERM, then SIGKILL after `grace_s`; True when the SIGKILL was needed."""

    @abc.abstractmethod
    def kill(self, handle: InstanceHandle, sig: signal.Signals = signal.SIGKILL) -> None:
        """Send `sig`; for SIGKILL, wait until the instance is gone."""

    @abc.abstractmethod
    def pause(self, handle: InstanceHandle) -> None:
        """Freeze the instance (SIGSTOP or container pause)."""

    @abc.abstractmethod
    def resume(self, handle: InstanceHandle) -> None:
        """Unfreeze the instance."""

    @abc.abstractmethod
    def peer_address(self, handle: InstanceHandle) -> str:
        """`host:port` at which other instances (the proxy) reach this one."""

    @abc.abstractmethod
    def link_endpoint(self, proxy: InstanceHandle, index: int) -> tuple[str, str]:
        """For link number `index`: (listen address to give the proxy, `host:port` sources dial)."""

    @abc.abstractmethod
    def teardown(self) -> None:
        """Stop and remove every instance this backend started; safe to call twice."""


BACKENDS: Registry[type[Backend]] = Registry("backend")
