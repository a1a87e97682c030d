"""The Docker engine: the one probe and hint, and engine failures as BackendError."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import docker
import requests
from docker.models.containers import Container

from harness.errors import BackendError

ENGINE_HINT = (
    "start an engine (as root, `scripts/ensure-docker.sh` installs and starts one; "
    "or `service docker start`), or run with `--backend process`"
)
CONNECT_TIMEOUT_S = 30.0  # per engine call: a slow engine is not a missing one
PROBE_TIMEOUT_S = 3.0  # a yes/no question (`--backend auto`, tests) must answer quickly

# What the SDK raises when the engine is gone or refuses: its own errors and raw requests ones.
ENGINE_ERRORS = (docker.errors.DockerException, requests.RequestException)


def connect(
    timeout_s: float = CONNECT_TIMEOUT_S, error: type[BackendError] = BackendError
) -> docker.DockerClient:
    """A client whose engine answers `ping`; `error` (a BackendError) with the hint if none does."""
    try:
        client = docker.from_env(version="auto", timeout=timeout_s)
        client.ping()
    except ENGINE_ERRORS as exc:
        raise error(f"no Docker engine answers ({_short(exc)})", hint=ENGINE_HINT) from None
    return client


def engine_answers(timeout_s: float = PROBE_TIMEOUT_S) -> bool:
    """Whether a Docker engine answers `ping` right now."""
    try:
        connect(timeout_s).close()
    except BackendError:
        return False
    return True


@contextlib.contextmanager
def engine_call(what: str) -> Iterator[None]:
    """Turn an engine failure during `what` into a BackendError naming it."""
    try:
        yield
    except docker.errors.APIError as exc:  # the engine answered, and said no
        raise BackendError(f"{what}: {_short(exc)}") from None
    except ENGINE_ERRORS as exc:  # the engine is gone (stopped mid-run, socket closed)
        raise BackendError(
            f"{what}: the Docker engine does not answer ({_short(exc)})", hint=ENGINE_HINT
        ) from None


def is_not_found(exc: BaseException) -> bool:
    """Whether `exc` says the object is already gone (fine when removing)."""
    return isinstance(exc, docker.errors.NotFound)


def save_logs(container: Container, path: Path) -> None:
    """Write the container's whole output (every start of it) to `path`, atomically."""
    data = container.logs(stdout=True, stderr=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as tmp:
        tmp.write(data)
    Path(tmp.name).replace(path)


def host_port(container: Container, key: str) -> int | None:
    """The 127.0.0.1 port the engine published for `key` (e.g. '8080/tcp'), after a reload."""
    container.reload()
    for binding in container.ports.get(key) or []:
        if binding.get("HostIp") == "127.0.0.1" and binding.get("HostPort"):
            return int(binding["HostPort"])
    return None


def _short(exc: BaseException) -> str:
    text = getattr(exc, "explanation", None) or str(exc) or type(exc).__name__
    return str(text).splitlines()[0][:300]
