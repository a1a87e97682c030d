"""Remove labelled containers, networks and volumes (teardown and `harness cleanup` share it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import docker

from harness.backends.base import Sweep
from harness.backends.docker_engine import ENGINE_ERRORS, is_not_found, save_logs
from harness.backends.docker_names import (
    LABEL_INSTANCE,
    LABEL_ROLE,
    LABEL_RUN_ID,
    ROLE_NET,
    label_filter,
)

Select = Callable[[dict[str, str]], bool]


def remove_objects(objects: Iterable[Any], kind: str, sweep: Sweep, logs_dir: Path | None) -> None:
    """Remove each container/network/volume, saving container logs first when `logs_dir` is set."""
    for obj in objects:
        name, obj_labels = obj.name, object_labels(obj)
        try:
            if (
                kind == "container"
                and logs_dir is not None
                and obj_labels.get(LABEL_ROLE) != ROLE_NET
            ):
                instance = obj_labels.get(LABEL_INSTANCE, name)
                save_logs(obj, logs_dir / f"{instance}.log")
            if kind == "container":
                obj.remove(force=True, v=True)
            else:
                obj.remove()
        except ENGINE_ERRORS as exc:
            if not is_not_found(exc):  # already gone is what we wanted
                sweep.failed.append(f"{kind} {name}: {exc}")
                continue
        run = obj_labels.get(LABEL_RUN_ID)
        sweep.removed.append(f"{kind} {name}" + (f" (run {run})" if run else ""))


def sweep_labelled(
    client: docker.DockerClient,
    run_id: str | None = None,
    select: Select = lambda _labels: True,
    logs_dir: Path | None = None,
) -> Sweep:
    """Remove containers, then networks, then volumes labelled with `run_id` (or any run)."""
    sweep = Sweep()
    filters = label_filter(run_id)
    listers: list[tuple[str, Callable[[], list[Any]]]] = [
        ("container", lambda: client.containers.list(all=True, filters=filters)),
        ("network", lambda: client.networks.list(filters=filters)),
        ("volume", lambda: client.volumes.list(filters=filters)),
    ]
    for kind, lister in listers:
        try:
            found = [obj for obj in lister() if select(object_labels(obj))]
        except ENGINE_ERRORS as exc:
            sweep.failed.append(f"listing {kind}s: {exc}")
            continue
        remove_objects(found, kind, sweep, logs_dir)
    return sweep


def object_labels(obj: Any) -> dict[str, str]:
    """Labels of a container, network or volume (containers keep them under Config)."""
    attrs = obj.attrs or {}
    return dict((attrs.get("Config") or attrs).get("Labels") or {})
