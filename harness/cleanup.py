"""Remove what earlier runs left behind: labelled containers, networks, volumes and processes."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import psutil

from harness.backends.docker_engine import connect
from harness.backends.docker_names import (
    IN_CONTAINER_ENV,
    OWNER_PID_ENV,
    RUN_ID_ENV,
    owner_pid,
)
from harness.backends.docker_sweep import Sweep, sweep_labelled
from harness.errors import BackendError

KILL_WAIT_S = 5.0


@dataclass(frozen=True)
class CleanupReport:
    """What a cleanup removed (`container NAME (run ID)`, `process PID (...)`) and what it could not."""

    removed: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    engine_checked: bool = False  # False when no Docker engine answered (only processes looked at)


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


def _clean(run_id: str | None, remove_owner: Callable[[int | None], bool]) -> CleanupReport:
    docker_sweep, checked = _docker(run_id, remove_owner)
    procs = _processes(run_id, remove_owner)
    return CleanupReport(
        removed=tuple(docker_sweep.removed + procs.removed),
        failed=tuple(docker_sweep.failed + procs.failed),
        engine_checked=checked,
    )


def _docker(run_id: str | None, remove_owner: Callable[[int | None], bool]) -> tuple[Sweep, bool]:
    try:
        client = connect()
    except BackendError:
        return Sweep(), False  # no engine, nothing of ours can run in it
    try:
        return sweep_labelled(client, run_id, lambda labels: remove_owner(owner_pid(labels))), True
    finally:
        client.close()


def _processes(run_id: str | None, remove_owner: Callable[[int | None], bool]) -> Sweep:
    sweep = Sweep()
    victims = [
        (proc, marker) for proc, marker, owner in _marked_processes(run_id) if remove_owner(owner)
    ]
    for proc, marker in victims:
        try:
            label = f"process {proc.pid} ({' '.join(proc.cmdline())[:100]}; run {marker})"
            proc.kill()
        except psutil.NoSuchProcess:
            continue
        except psutil.AccessDenied as exc:
            sweep.failed.append(f"process {proc.pid}: {exc}")
            continue
        sweep.removed.append(label)
    psutil.wait_procs([proc for proc, _ in victims], timeout=KILL_WAIT_S)
    return sweep


def _marked_processes(run_id: str | None) -> list[tuple[psutil.Process, str, int | None]]:
    """Processes carrying HARNESS_RUN_ID (of `run_id` if given) outside containers, not us."""
    me = psutil.Process()
    protected = {me.pid, *(parent.pid for parent in me.parents())}
    found = []
    for proc in psutil.process_iter():
        if proc.pid in protected:
            continue
        try:
            env = proc.environ()
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
        marker = env.get(RUN_ID_ENV)
        # Processes inside containers go with their container (the engine removes them).
        if not marker or env.get(IN_CONTAINER_ENV) == "1" or run_id not in (None, marker):
            continue
        owner = env.get(OWNER_PID_ENV, "")
        found.append((proc, marker, int(owner) if owner.isdigit() else None))
    return found
