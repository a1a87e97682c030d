"""The gateway config's per-instance health path and status, and how the harness fills them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.reference.services import gateway_config
from harness.scenario.loader import load_scenario
from harness.scenario.plan import make_plan
from targets.gateway.config import ConfigError, parse_config
from targets.gateway.pool import Pool

ROOT = Path(__file__).resolve().parents[3]


def config(**instance: Any) -> dict[str, Any]:
    inst = {"id": "i-0", "url": "http://127.0.0.1:1", **instance}
    return {"architecture": "single-region", "regions": [{"name": "r", "instances": [inst]}]}


def test_health_path_and_status_default_to_ours() -> None:
    inst = Pool(parse_config(config())).instances[0]
    assert (inst.health_path, inst.health_status) == ("/readyz", 200)


def test_health_path_and_status_reach_the_pool() -> None:
    cfg = parse_config(config(health_path="/v2/health/ready", health_status=204))
    inst = Pool(cfg).instances[0]
    assert (inst.health_path, inst.health_status) == ("/v2/health/ready", 204)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("health_path", "ping", "regions[0].instances[0].health_path: must be a path"),
        ("health_path", 3, "regions[0].instances[0].health_path: must be a path"),
        ("health_status", 99, "regions[0].instances[0].health_status: must be an HTTP status"),
        ("health_status", "200", "regions[0].instances[0].health_status: must be an HTTP status"),
    ],
)
def test_bad_health_settings_name_the_key(field: str, value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_config(config(**{field: value}))


def test_gateway_config_takes_each_region_s_health_path_and_status(tmp_path: Path) -> None:
    text = (ROOT / "scenarios" / "regional-outage.yaml").read_text()
    own = "inference: {replicas: 2, protocol: {kind: open-inference-v2, model: bc}, health: {status: 204}}"
    path = tmp_path / "s.yaml"
    path.write_text(text.replace("inference: {replicas: 2}", own))
    scenario, _ = load_scenario(path)
    cfg = gateway_config(make_plan(scenario), lambda link: "http://127.0.0.1:1")
    instances = [i for region in cfg["regions"] for i in region["instances"]]
    assert len(instances) == 4
    assert {(i["health_path"], i["health_status"]) for i in instances} == {
        ("/v2/health/ready", 204)
    }
    parse_config(cfg)  # what the gateway reads
