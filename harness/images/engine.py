"""The Docker engine connection and the error family of image building."""

from __future__ import annotations

from typing import Any

import docker
import docker.errors

from harness.errors import BackendError

ENGINE_HINT = (
    "run `scripts/ensure-docker.sh` (as root it installs and starts one), or use --backend process"
)


class ImageError(BackendError):
    """An image cannot be found, pulled or built (engine missing, build failure, no debootstrap)."""


def connect() -> Any:
    """Return a `docker.DockerClient` for the local engine; ImageError when none answers."""
    try:
        client = docker.from_env(version="auto")
        client.ping()
    except docker.errors.DockerException as exc:
        raise ImageError(f"no Docker engine answers ({_short(exc)})", hint=ENGINE_HINT) from None
    return client


def engine_arch(client: Any) -> str:
    """The engine's CPU architecture in wheel-tag spelling (`x86_64`, `aarch64`)."""
    arch = str(client.info().get("Architecture", "x86_64"))
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(arch, arch)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
