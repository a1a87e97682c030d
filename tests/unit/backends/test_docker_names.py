"""Naming, labels, network membership and command building of the docker backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.backends.base import RunInfo, ServiceSpec
from harness.backends.docker_names import (
    CORE,
    LABEL_KEYS,
    ROLE_NET,
    command,
    container_name,
    docker_name,
    environment,
    label_filter,
    labels,
    link_endpoint,
    net_holder_command,
    net_holder_name,
    network_keys,
    network_name,
    owner_pid,
    peer_address,
    volumes,
)

RUN = RunInfo(
    "regional-outage-20250101-120000-ab12",
    Path("/tmp/run"),
    "regional-outage",
    ("us-east-1", "eu-west-1"),
)
INFERENCE = ServiceSpec(
    "inference-us-east-1-0",
    "inference",
    "us-east-1",
    "targets.inference.server",
    ("--model", "{mount:model}/model.onnx", "--instance", "inference-us-east-1-0"),
    mounts={"model": Path("/cache/model")},
    env={"OMP_NUM_THREADS": "1"},
)
PROXY = ServiceSpec("netproxy", "netproxy", None, "harness.netproxy", spans_regions=True)
GATEWAY = ServiceSpec("gateway", "gateway", None, "targets.gateway.server")


def test_names_carry_the_run_id() -> None:
    assert container_name(RUN.run_id, "gateway") == f"harness-{RUN.run_id}-gateway"
    assert net_holder_name(RUN.run_id, "gateway") == f"harness-{RUN.run_id}-gateway-net"
    assert network_name(RUN.run_id, "us-east-1") == f"harness-{RUN.run_id}-us-east-1"
    assert network_name(RUN.run_id, CORE) == f"harness-{RUN.run_id}-core"


@pytest.mark.parametrize(
    ("parts", "expected"),
    [(("a b", "c/d"), "a-b-c-d"), (("_x",), "x_x"), (("ok.1",), "ok.1"), (("é",), "x-")],
)
def test_docker_name_keeps_only_allowed_characters(parts: tuple[str, ...], expected: str) -> None:
    assert docker_name(*parts) == expected


def test_labels_and_selection() -> None:
    got = labels(RUN, "inference", "inference-us-east-1-0", 4242)
    assert tuple(got) == LABEL_KEYS
    assert got["harness.run-id"] == RUN.run_id
    assert got["harness.scenario"] == "regional-outage"
    assert got["harness.owner-pid"] == "4242"
    assert label_filter(RUN.run_id) == {"label": f"harness.run-id={RUN.run_id}"}
    assert label_filter(None) == {"label": "harness.run-id"}
    assert owner_pid(got) == 4242
    assert owner_pid({"harness.owner-pid": "x1"}) is None
    assert owner_pid(None) is None
    assert labels(RUN, "inference", "i-0", 1, ROLE_NET)["harness.role"] == "net"


def test_network_membership() -> None:
    assert network_keys(INFERENCE, RUN.regions) == ["us-east-1"]
    assert network_keys(PROXY, RUN.regions) == ["us-east-1", "eu-west-1", CORE]
    assert network_keys(GATEWAY, RUN.regions) == [CORE]


def test_command_mounts_and_environment() -> None:
    assert command(INFERENCE) == [
        "python3", "-m", "targets.inference.server", "--host", "0.0.0.0", "--port", "8080",
        "--model", "/mnt/model/model.onnx", "--instance", "inference-us-east-1-0",
    ]  # fmt: skip
    assert net_holder_command() == ["sleep", "infinity"]
    assert volumes(INFERENCE) == {"/cache/model": {"bind": "/mnt/model", "mode": "ro"}}
    env = environment(INFERENCE, RUN.run_id, 4242)
    assert env["OMP_NUM_THREADS"] == "1"
    assert env["HARNESS_RUN_ID"] == RUN.run_id
    assert env["HARNESS_OWNER_PID"] == "4242"
    assert env["HARNESS_IN_CONTAINER"] == "1"


def test_peers_and_link_endpoints() -> None:
    assert peer_address(INFERENCE) == "inference-us-east-1-0:8080"
    assert link_endpoint(PROXY, 0) == ("0.0.0.0:10000", "netproxy:10000")
    assert link_endpoint(PROXY, 7) == ("0.0.0.0:10007", "netproxy:10007")
