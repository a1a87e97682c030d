"""One instance = two containers: a holder of its network namespace, and the service inside it.

Why two: a killed container loses its address and its DNS alias, so for a while peers' connects
hang (SYN to a vanished address) and look-ups of its name fail slowly; a killed process of the
process backend refuses connections at once. With the namespace held by a container that only
sleeps, a killed or stopped service refuses connections at once too (same failover timings and
verdicts on both backends), and its published port survives restarts. Network faults
(disconnect/reconnect) act on the holder; process faults (kill, stop, pause) on the service.
"""

from __future__ import annotations

import docker
from docker.models.containers import Container
from docker.models.networks import Network

from harness.backends import docker_names as names
from harness.backends.base import RunInfo, ServiceSpec
from harness.backends.docker_engine import engine_call


def create_net_holder(
    client: docker.DockerClient,
    run: RunInfo,
    owner: int,
    spec: ServiceSpec,
    image: str,
    nets: list[Network],
) -> Container:
    """Create the namespace holder: on `nets` under alias `spec.name`, its port on 127.0.0.1.

    `image` is one of ours (it runs `sleep`, which a user's image may not have).
    """
    name = names.net_holder_name(run.run_id, spec.name)
    first = nets[0].name
    with engine_call(f"creating container {name}"):
        holder = client.containers.create(
            image,
            names.net_holder_command(),
            name=name,
            labels=names.labels(run, spec.service, spec.name, owner, names.ROLE_NET),
            ports={names.port_key(spec): ("127.0.0.1", None)},  # host port chosen by the engine
            network=first,
            networking_config={first: client.api.create_endpoint_config(aliases=[spec.name])},
        )
    with engine_call(f"connecting {name}"):
        for net in nets[1:]:
            net.connect(holder, aliases=[spec.name])
    return holder


def create_service(
    client: docker.DockerClient,
    run: RunInfo,
    owner: int,
    spec: ServiceSpec,
    image: str,
    holder: Container,
) -> Container:
    """Create the service container in the holder's network namespace.

    An own service runs its image's CMD (no command given), with its env's placeholders resolved.
    """
    name = names.container_name(run.run_id, spec.name)
    with engine_call(f"creating container {name}"):
        return client.containers.create(
            image,
            names.command(spec),
            name=name,
            labels=names.labels(run, spec.service, spec.name, owner, names.ROLE_SERVICE),
            environment=names.environment(spec, run.run_id, owner),
            volumes=names.volumes(spec),
            network_mode=f"container:{holder.id}",
        )


def create_sidecars(
    client: docker.DockerClient,
    run: RunInfo,
    owner: int,
    spec: ServiceSpec,
    image: str,
    holder: Container,
) -> list[Container]:
    """Create the instance's sidecars in the holder's namespace (listening on 127.0.0.1 only)."""
    made = []
    for i, car in enumerate(spec.sidecars):
        name = names.sidecar_name(run.run_id, spec.name, car.name)
        labelled_as = f"{spec.name}-{car.name}"  # its own log file at teardown
        with engine_call(f"creating container {name}"):
            made.append(
                client.containers.create(
                    image,
                    names.sidecar_command(spec, i),
                    name=name,
                    labels=names.labels(run, spec.service, labelled_as, owner, names.ROLE_SIDECAR),
                    environment=names.environment(spec, run.run_id, owner),
                    volumes=names.volumes(spec),
                    network_mode=f"container:{holder.id}",
                )
            )
    return made
