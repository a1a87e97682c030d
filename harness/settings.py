"""Every environment variable the harness reads, in one place (the README lists them)."""

from __future__ import annotations

import os
from pathlib import Path

# Markers the harness sets on what it starts (read back by cleanup, the reaper and the proxy).
RUN_ID_ENV = "HARNESS_RUN_ID"
OWNER_PID_ENV = "HARNESS_OWNER_PID"
IN_CONTAINER_ENV = "HARNESS_IN_CONTAINER"

ENV_VARS = {
    "HARNESS_CACHE_DIR": "where built models (and later images) are cached",
    "HARNESS_REPORTS_DIR": "default parent folder of run folders (default ./reports)",
    "HARNESS_START_TIMEOUT": "seconds a service may take to become ready (default 60)",
    RUN_ID_ENV: "set by the harness on every process it starts; marks leftovers",
    "HARNESS_BASE_IMAGE": "base image of the service images (default python:3.11-slim)",
    "HARNESS_PULL_TIMEOUT": "seconds a base image pull may stay silent before the offline base "
    "is used instead (default 15)",
    "HARNESS_DEBIAN_MIRROR": "Debian mirror debootstrap uses for the offline base image "
    "(default http://deb.debian.org/debian)",
    OWNER_PID_ENV: "set by the harness on every process it starts: the harness's pid, so "
    "leftovers of crashed runs can be told from live ones",
    IN_CONTAINER_ENV: "set by the docker backend in every container; lets the proxy bind "
    "0.0.0.0 and dial container names there (read in harness/netproxy/addr.py)",
}


def cache_dir() -> Path:
    """Folder for build caches (the model)."""
    default = (
        Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ai-resilience-harness"
    )
    return Path(os.environ.get("HARNESS_CACHE_DIR", default))


def reports_dir() -> Path:
    """Default parent of run folders."""
    return Path(os.environ.get("HARNESS_REPORTS_DIR", "reports"))


def start_timeout_s() -> float:
    """How long a service may take to become ready."""
    return float(os.environ.get("HARNESS_START_TIMEOUT", "60"))


def is_ci() -> bool:
    """Whether we run under CI (missing real components fail instead of skipping)."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def base_image() -> str:
    """Base image of the service images; built offline when it can be neither found nor pulled."""
    return os.environ.get("HARNESS_BASE_IMAGE", "python:3.11-slim")


def pull_timeout_s() -> float:
    """How long a base image pull may stay silent before we give up on it."""
    return float(os.environ.get("HARNESS_PULL_TIMEOUT", "15"))


def debian_mirror() -> str:
    """Debian mirror for debootstrap (the offline base image)."""
    return os.environ.get("HARNESS_DEBIAN_MIRROR", "http://deb.debian.org/debian")
