"""How the docker backend names, ports and commands an own service (pure functions)."""

from __future__ import annotations

from harness.backends.base import ServiceSpec, Sidecar
from harness.backends.docker_names import (
    command,
    environment,
    named_port,
    peer_address,
    port_key,
    sidecar_port,
)


def own(port: int = 8500, **env: str) -> ServiceSpec:
    return ServiceSpec(
        "inference-r1-0",
        "inference",
        "r1",
        "",
        image="my-server:1",
        port=port,
        env=env,
        sidecars=(Sidecar("metadata", "targets.metadata.server"),),
        command=("serve", "--port", "{port}"),
    )


def test_own_service_runs_its_image_cmd_on_its_port() -> None:
    spec = own()
    assert command(spec) is None  # the image's CMD; spec.command is the process backend's
    assert port_key(spec) == "8500/tcp"
    assert peer_address(spec) == "inference-r1-0:8500"


def test_env_placeholders_resolve_inside_the_container() -> None:
    spec = own(
        A="{host}:{port}",
        GRPC="{port:grpc}",
        METRICS="{port:metrics}",
        META="{sidecar:metadata}",
        WHO="{instance}/{region}",
    )
    env = environment(spec, "run1", 42)
    grpc, metrics = named_port(spec)("grpc"), named_port(spec)("metrics")
    assert env["A"] == "0.0.0.0:8500"
    assert len({grpc, metrics, 8500, sidecar_port(spec)("metadata")}) == 4
    assert (env["GRPC"], env["METRICS"]) == (str(grpc), str(metrics))
    assert env["META"] == f"http://127.0.0.1:{sidecar_port(spec)('metadata')}"
    assert env["WHO"] == "inference-r1-0/r1"
    assert named_port(own(GRPC="{port:grpc}"))("grpc") == grpc  # the same at every start


def test_sidecar_never_takes_the_service_port() -> None:
    spec = own(port=8169)  # where the first sidecar listens by default
    assert sidecar_port(spec)("metadata") != 8169
