"""Pick the backend for `--backend auto`: docker when an engine answers, else process."""

from __future__ import annotations

from harness.backends.base import BACKENDS
from harness.errors import HarnessError

AUTO = "auto"


def docker_engine_answers(timeout_s: float = 3.0) -> bool:
    """Whether a Docker engine answers a ping (through the docker SDK)."""
    try:
        import docker
        from docker.errors import DockerException
    except ImportError:
        return False
    try:
        client = docker.from_env(version="auto", timeout=timeout_s)
    except DockerException:
        return False
    try:
        return bool(client.ping())
    except (DockerException, OSError):
        return False
    finally:
        client.close()


def choose_backend(name: str) -> tuple[str, str]:
    """(backend name, why it was chosen); an unknown name is a HarnessError with suggestions."""
    if name == AUTO:
        if "docker" in BACKENDS and docker_engine_answers():
            return "docker", "a Docker engine answers"
        return "process", "no Docker engine answers"
    if name not in BACKENDS:
        raise HarnessError(
            BACKENDS.unknown_message(name), hint="use --backend auto, docker or process"
        )
    return name, "asked for"
