"""Remove what earlier runs left behind, backend by backend (containers, networks, processes)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import psutil

from harness.backends import BACKENDS
from harness.backends.base import RemoveOwner


@dataclass(frozen=True)
class CleanupReport:
    """What a cleanup removed (`container NAME (run ID)`, `process PID (...)`) and what it could not."""

    removed: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ()  # `backend: why` of each that could not look

    @property
    def engine_checked(self) -> bool:
        """Whether every backend could look for leftovers (for docker: an engine answered)."""
        return not self.unchecked


def cleanup(run_id: str | None = None) -> CleanupReport:
    """Remove everything labelled by earlier runs (or by run `run_id`); never this process."""
    return _clean(run_id, lambda _pid: True)


def reap_leftovers() -> CleanupReport:
    """Remove what runs whose harness process has died left behind; keep live runs' things."""
    return _clean(None, owner_dead)


def owner_dead(pid: int | None) -> bool:
    """Whether the harness process `pid` is gone; an unknown owner counts as alive (kept)."""
    if pid is None or pid == os.getpid():
        return False
    try:
        return bool(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True
    except psutil.AccessDenied:
        return False  # someone else's live process


def _clean(run_id: str | None, remove_owner: RemoveOwner) -> CleanupReport:
    # Best-ranked first (docker before process): as the backends were tried, so they are swept.
    ranked = sorted(BACKENDS.items(), key=lambda item: -item[1].auto_rank)
    sweeps = [(kind, cls.sweep_leftovers(run_id, remove_owner)) for kind, cls in ranked]
    return CleanupReport(
        removed=tuple(item for _, sweep in sweeps for item in sweep.removed),
        failed=tuple(item for _, sweep in sweeps for item in sweep.failed),
        unchecked=tuple(f"{kind}: {sweep.skipped}" for kind, sweep in sweeps if sweep.skipped),
    )
