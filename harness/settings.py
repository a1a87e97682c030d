"""Every environment variable the harness reads, in one place (the README lists them)."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VARS = {
    "HARNESS_CACHE_DIR": "where built models (and later images) are cached",
    "HARNESS_REPORTS_DIR": "default parent folder of run folders (default ./reports)",
    "HARNESS_START_TIMEOUT": "seconds a service may take to become ready (default 60)",
    "HARNESS_RUN_ID": "set by the harness on every process it starts; marks leftovers",
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
