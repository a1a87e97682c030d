"""Service kinds are a table: each regional service is one entry, and a new one is one entry more."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.reference.services import SERVICE_KINDS, Launch, service_kind, service_spec
from harness.scenario.topology import GATEWAY, SERVICE_ORDER, InstancePlan
from targets.contract import ObjectStoreFlags
from tests.unit.fakes import plan_of

SCENARIO = """\
name: s
stack:
  architecture: single-region
  regions: [{name: a, inference: {replicas: 1}}]
load:
  rate: 10
  phases: {baseline: 10s, fault: 10s, recovery: 10s}
"""


def url(inst: InstancePlan, region: str) -> str:
    return f"http://proxy/{inst.name}-to-{region}"


def test_every_regional_service_of_a_topology_has_a_kind() -> None:
    assert set(SERVICE_ORDER) - {GATEWAY} <= set(SERVICE_KINDS)


@service_kind("echo-store", "tests.echo", image="echo")
def _echo(launch: Launch) -> ObjectStoreFlags:
    return ObjectStoreFlags(region=launch.store(launch.region))


def test_a_kind_registered_in_one_place_is_launched_like_the_shipped_ones(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, SCENARIO)
    inst = InstancePlan("echo-store-a", "echo-store", "a")
    spec = service_spec(inst, plan, tmp_path / "model", url)
    assert (spec.name, spec.service, spec.region, spec.module) == (
        "echo-store-a",
        "echo",
        "a",
        "tests.echo",
    )
    assert spec.args == ("--region", "http://proxy/echo-store-a-to-a")
    assert spec.mounts == {"model": tmp_path / "model"} and spec.ready_path == "/readyz"


def test_an_instance_of_no_known_kind_names_the_known_ones(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, SCENARIO)
    with pytest.raises(KeyError, match=r"unknown service kind 'inferense' \(known: .*inference"):
        service_spec(InstancePlan("x", "inferense", "a"), plan, tmp_path, url)


def test_a_kind_is_registered_once() -> None:
    with pytest.raises(ValueError, match="duplicate service kind 'inference'"):
        service_kind("inference", "elsewhere")(_echo)
