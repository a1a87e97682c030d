"""Names, labels, commands and network membership of the docker backend (pure functions)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from harness.backends.base import Placeholders, RunInfo, ServiceSpec, placeholders_in
from harness.settings import IN_CONTAINER_ENV, OWNER_PID_ENV, RUN_ID_ENV

LABEL_RUN_ID = "harness.run-id"
LABEL_SCENARIO = "harness.scenario"
LABEL_SERVICE = "harness.service"
LABEL_INSTANCE = "harness.instance"
LABEL_OWNER_PID = "harness.owner-pid"
LABEL_KEYS = (LABEL_RUN_ID, LABEL_SCENARIO, LABEL_SERVICE, LABEL_INSTANCE, LABEL_OWNER_PID)
LABEL_ROLE = "harness.role"  # on containers: ROLE_SERVICE, or ROLE_NET for the namespace holder
ROLE_SERVICE = "service"
ROLE_NET = "net"
ROLE_SIDECAR = "sidecar"

CONTAINER_PORT = 8080
SIDECAR_PORT_BASE = 8169  # sidecar i listens on 127.0.0.1:8169+i inside the instance's namespace
PORT_KEY = f"{CONTAINER_PORT}/tcp"
NAMED_PORT_BASE = 9200  # an own service's {port:NAME}: 9200+i inside its container, by name
OWN_HOST = "0.0.0.0"  # {host} of an own service: every interface of its namespace
LINK_PORT_BASE = 10000
CORE = "core"  # the inter-region (edge) network the gateway and the proxy share
NETWORK_SERVICE = "network"  # `harness.service` of a network

_NOT_ALLOWED = re.compile(r"[^a-zA-Z0-9_.-]+")


def docker_name(*parts: str) -> str:
    """Join `parts` with '-' into a valid container/network name (other characters become '-')."""
    name = _NOT_ALLOWED.sub("-", "-".join(parts))
    return name if name[:1].isalnum() else f"x{name}"


def container_name(run_id: str, instance: str) -> str:
    """`harness-<run_id>-<instance>`."""
    return docker_name("harness", run_id, instance)


def net_holder_name(run_id: str, instance: str) -> str:
    """`harness-<run_id>-<instance>-net`: the container owning the instance's network namespace."""
    return docker_name("harness", run_id, instance, ROLE_NET)


def network_name(run_id: str, key: str) -> str:
    """`harness-<run_id>-<region>` or `harness-<run_id>-core`."""
    return docker_name("harness", run_id, key)


def labels(
    run: RunInfo, service: str, instance: str, owner_pid: int, role: str | None = None
) -> dict[str, str]:
    """The labels every container, network and volume of a run carries (+ a container's role)."""
    found = {
        LABEL_RUN_ID: run.run_id,
        LABEL_SCENARIO: run.scenario,
        LABEL_SERVICE: service,
        LABEL_INSTANCE: instance,
        LABEL_OWNER_PID: str(owner_pid),
    }
    return found | ({LABEL_ROLE: role} if role else {})


def label_filter(run_id: str | None = None) -> dict[str, str]:
    """SDK `filters` selecting everything of one run, or of every run when `run_id` is None."""
    return {"label": f"{LABEL_RUN_ID}={run_id}" if run_id else LABEL_RUN_ID}


def owner_pid(object_labels: dict[str, str] | None) -> int | None:
    """The harness pid recorded in `harness.owner-pid`, or None if absent or malformed."""
    value = (object_labels or {}).get(LABEL_OWNER_PID, "")
    return int(value) if value.isdigit() else None


def network_keys(spec: ServiceSpec, regions: tuple[str, ...]) -> list[str]:
    """Networks `spec` joins, first one first: its region; all regions + core; or core."""
    if spec.spans_regions:
        return [*regions, CORE]
    return [spec.region] if spec.region else [CORE]


def net_holder_command() -> list[str]:
    """What the namespace holder runs: nothing but a sleep (every image has coreutils)."""
    return ["sleep", "infinity"]


def mount_path(name: str) -> str:
    """Where the host path of mount `name` is visible inside the container."""
    return f"/mnt/{name}"


def volumes(spec: ServiceSpec) -> dict[str, dict[str, str]]:
    """SDK `volumes`: every mount bound read-only at /mnt/<name>."""
    return {
        str(Path(host).resolve()): {"bind": mount_path(name), "mode": "ro"}
        for name, host in spec.mounts.items()
    }


def is_own(spec: ServiceSpec) -> bool:
    """Whether `spec` runs the user's image (given or built) with its own CMD, not our module."""
    return spec.image is not None or spec.build is not None


def container_port(spec: ServiceSpec) -> int:
    """The port the instance listens on inside its namespace: 8080, or an own service's `port`."""
    return spec.port if is_own(spec) else CONTAINER_PORT


def port_key(spec: ServiceSpec) -> str:
    """SDK key of the port the holder publishes (`8080/tcp`)."""
    return f"{container_port(spec)}/tcp"


def command(spec: ServiceSpec) -> list[str] | None:
    """`python3 -m <module> --host 0.0.0.0 --port 8080 <args>` with mounts and sidecars resolved.

    None for an own service: its image's CMD runs (`spec.command` is the process backend's).
    """
    if is_own(spec):
        return None
    head = ["python3", "-m", spec.module, "--host", "0.0.0.0", "--port", str(CONTAINER_PORT)]
    return head + spec.resolved_args(lambda name, _host: mount_path(name), sidecar_port(spec))


def _fixed_ports(spec: ServiceSpec) -> tuple[dict[str, int], dict[str, int]]:
    """(sidecar ports, named ports) of `spec`: fixed by order and name, never its own port."""
    taken = {container_port(spec)}

    def next_free(start: int) -> int:
        while start in taken:
            start += 1
        taken.add(start)
        return start

    cars = {car.name: next_free(SIDECAR_PORT_BASE + i) for i, car in enumerate(spec.sidecars)}
    wanted = {
        name
        for text in spec.env.values()
        for key, name in placeholders_in(text)
        if key == "port" and name is not None
    }
    named = {name: next_free(NAMED_PORT_BASE + i) for i, name in enumerate(sorted(wanted))}
    return cars, named


def sidecar_port(spec: ServiceSpec) -> Callable[[str], int]:
    """The port each sidecar of `spec` listens on, inside the instance's network namespace."""
    return _fixed_ports(spec)[0].__getitem__


def named_port(spec: ServiceSpec) -> Callable[[str], int]:
    """`{port:NAME}` of an own service: a fixed port of its own inside the container."""
    return _fixed_ports(spec)[1].__getitem__


def placeholders(spec: ServiceSpec) -> Placeholders:
    """What an own service's placeholders stand for in its container (docs/own-stack.md)."""
    return Placeholders(
        mount_path=lambda name, _host: mount_path(name),
        sidecar_port=sidecar_port(spec),
        port=container_port(spec),
        host=OWN_HOST,
        named_port=named_port(spec),
    )


def sidecar_name(run_id: str, instance: str, sidecar: str) -> str:
    """`harness-<run_id>-<instance>-<sidecar>`."""
    return docker_name("harness", run_id, instance, sidecar)


def sidecar_command(spec: ServiceSpec, index: int) -> list[str]:
    """`python3 -m <module> --host 127.0.0.1 --port 8169+i <args>`: reachable from its pod only."""
    car = spec.sidecars[index]
    port = sidecar_port(spec)(car.name)
    head = ["python3", "-m", car.module, "--host", "127.0.0.1", "--port", str(port)]
    return head + spec.resolved_args(lambda name, _host: mount_path(name), args=car.args)


def environment(spec: ServiceSpec, run_id: str, owner: int) -> dict[str, str]:
    """The spec's env (placeholders resolved) plus the run markers.

    HARNESS_IN_CONTAINER lets the proxy bind 0.0.0.0.
    """
    return {
        **spec.resolved_env(placeholders(spec)),
        RUN_ID_ENV: run_id,
        OWNER_PID_ENV: str(owner),
        IN_CONTAINER_ENV: "1",
        "PYTHONUNBUFFERED": "1",  # logs reach `docker logs` as they are written
    }


def peer_address(spec: ServiceSpec) -> str:
    """`<alias>:<port>` (8080 for ours), resolved by Docker's DNS on the networks it shares."""
    return f"{spec.name}:{container_port(spec)}"


def link_endpoint(proxy: ServiceSpec, index: int) -> tuple[str, str]:
    """(listen on every interface of the proxy container, dial `<proxy alias>:<10000+index>`)."""
    port = LINK_PORT_BASE + index
    return f"0.0.0.0:{port}", f"{proxy.name}:{port}"
