"""The Docker engine connection of image building, and its error family."""

from __future__ import annotations

from typing import Any

from harness.backends.docker_engine import ENGINE_HINT
from harness.backends.docker_engine import connect as connect_engine
from harness.errors import BackendError

__all__ = ["ENGINE_HINT", "ImageError", "connect", "engine_arch"]

# Builds stream for minutes and may stay silent longer than a backend call: the SDK's default.
BUILD_TIMEOUT_S = 60.0


class ImageError(BackendError):
    """An image cannot be found, pulled or built (engine missing, build failure, no debootstrap)."""


def connect() -> Any:
    """Return a `docker.DockerClient` for the local engine; ImageError when none answers."""
    return connect_engine(BUILD_TIMEOUT_S, error=ImageError)


def engine_arch(client: Any) -> str:
    """The engine's CPU architecture in wheel-tag spelling (`x86_64`, `aarch64`)."""
    arch = str(client.info().get("Architecture", "x86_64"))
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(arch, arch)
