"""The ServiceSpec of an own inference instance and its placeholders, from a real scenario file."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.backends.base import Placeholders, ServiceSpec
from harness.errors import HarnessError
from harness.own_service import check_backend
from harness.reference.services import service_spec
from harness.scenario.loader import load_scenario
from harness.scenario.plan import Plan, make_plan
from harness.scenario.topology import INFERENCE

SCENARIO = """\
name: own
stack:
  architecture: active-passive
  regions:
    - name: a
      inference:
        replicas: 2
        spot: 1
        command: ["{venv}/bin/python", "serve.py", "--port", "{port}", "--grpc", "{port:grpc}"]
        env: {GRPC_PORT: "{port:grpc}", WHERE: "{scenario_dir}/m", JSON: '{{"k": 1}}'}
        health: {path: /v2/health/ready, status: 204, timeout: 5s}
    - name: b
load:
  rate: 10
  phases: {baseline: 10s, fault: 20s, recovery: 10s}
"""


def plan_of(tmp_path: Path, text: str = SCENARIO) -> Plan:
    path = tmp_path / "s" / "own.yaml"
    path.parent.mkdir()
    path.write_text(text)
    scenario, _ = load_scenario(path)
    return make_plan(scenario)


def spec_of(plan: Plan, name: str, metadata: Path | None = None) -> ServiceSpec:
    inst = plan.topology.instance_named(name)
    assert inst is not None
    return service_spec(inst, plan, Path("/model"), lambda _src, _r: "unused", metadata)


def values(venv: str | None = "/v") -> Placeholders:
    ports = {"grpc": 9001}
    return Placeholders(
        lambda _name, host: str(host),
        sidecar_port=lambda _car: 7000,
        port=8000,
        host="127.0.0.1",
        named_port=ports.__getitem__,
        venv=venv,
    )


def test_an_own_region_runs_the_users_command_with_its_health_settings(tmp_path: Path) -> None:
    plan = plan_of(tmp_path)
    spec = spec_of(plan, f"{INFERENCE}-a-0")
    assert (spec.name, spec.region, spec.module) == (f"{INFERENCE}-a-0", "a", "")
    assert spec.command is not None and spec.command[1] == "serve.py"
    assert (spec.ready_path, spec.ready_status, spec.ready_timeout_s) == (
        "/v2/health/ready",
        204,
        5.0,
    )
    assert spec.cwd == tmp_path / "s" and spec.protocol == "harness"
    assert spec.env["HARNESS_INSTANCE"] == f"{INFERENCE}-a-0" and spec.env["HARNESS_REGION"] == "a"


def test_the_other_region_keeps_the_reference_service(tmp_path: Path) -> None:
    spec = spec_of(plan_of(tmp_path), f"{INFERENCE}-b-0")
    assert spec.module == "targets.inference.server" and spec.command is None


def test_placeholders_resolve_in_command_and_env(tmp_path: Path) -> None:
    spec = spec_of(plan_of(tmp_path), f"{INFERENCE}-a-0")
    assert spec.resolved_command(values()) == [
        "/v/bin/python",
        "serve.py",
        "--port",
        "8000",
        "--grpc",
        "9001",
    ]
    env = spec.resolved_env(values())
    assert env["GRPC_PORT"] == "9001"
    assert env["WHERE"] == f"{tmp_path / 's'}/m"
    assert env["JSON"] == '{"k": 1}'  # doubled braces are literal ones


def test_only_the_spot_instance_with_a_metadata_sidecar_gets_its_url(tmp_path: Path) -> None:
    plan = plan_of(tmp_path)
    on_demand = spec_of(plan, f"{INFERENCE}-a-0", tmp_path / "meta")
    spot = spec_of(plan, f"{INFERENCE}-a-1", tmp_path / "meta")
    assert "HARNESS_METADATA_URL" not in on_demand.resolved_env(values())
    assert [c.name for c in spot.sidecars] == ["metadata"]
    assert spot.resolved_env(values())["HARNESS_METADATA_URL"] == "http://127.0.0.1:7000"
    assert spot.resolve("{sidecar:metadata}", values()) == "http://127.0.0.1:7000"
    assert on_demand.resolve("--meta={sidecar:metadata}", values()) == "--meta="


def test_a_container_sees_the_scenario_folder_where_it_is_mounted(tmp_path: Path) -> None:
    spec = spec_of(plan_of(tmp_path), f"{INFERENCE}-a-0")
    mounted = Placeholders(lambda name, _host: f"/mnt/{name}", port=8080, host="0.0.0.0")
    assert spec.resolve("{scenario_dir}/model", mounted) == "/mnt/scenario/model"
    assert spec.resolve("{mount:scenario}|{host}:{port}", mounted) == "/mnt/scenario|0.0.0.0:8080"


def test_the_process_backend_refuses_an_image_only_service_before_anything_starts(
    tmp_path: Path,
) -> None:
    text = SCENARIO.replace(
        '        command: ["{venv}/bin/python", "serve.py", "--port", "{port}", "--grpc", '
        '"{port:grpc}"]\n',
        "        image: my/server:1\n",
    )
    scenario = plan_of(tmp_path, text).scenario
    with pytest.raises(HarnessError) as err:
        check_backend(scenario, "process")
    assert err.value.message == (
        "region a's inference has no command: the process backend cannot run it"
    )
    assert err.value.hint == "give command: or use --backend docker"
    check_backend(scenario, "docker")  # the docker backend runs the image
