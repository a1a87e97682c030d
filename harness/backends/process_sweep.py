"""Leftovers of the process backend: processes marked with a run id, outside containers."""

from __future__ import annotations

import psutil

from harness.backends.base import RemoveOwner, Sweep
from harness.settings import IN_CONTAINER_ENV, OWNER_PID_ENV, RUN_ID_ENV

KILL_WAIT_S = 5.0


def sweep_processes(run_id: str | None, remove_owner: RemoveOwner) -> Sweep:
    """SIGKILL the marked processes (of `run_id`, or any run) whose owner `remove_owner` accepts."""
    sweep = Sweep()
    victims = [
        (proc, marker) for proc, marker, owner in marked_processes(run_id) if remove_owner(owner)
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


def marked_processes(run_id: str | None) -> list[tuple[psutil.Process, str, int | None]]:
    """(process, run id, owner pid) of every process marked with a run id, outside containers.

    Only of `run_id` when given; never this process or one of its parents.
    """
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
