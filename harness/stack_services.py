"""How each service of the reference stack is launched: module, arguments, mounts, gateway config."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.backends.base import ServiceSpec
from harness.scenario.plan import Plan
from harness.scenario.topology import GATEWAY, InstancePlan, LinkPlan

NETPROXY = "netproxy"


def netproxy_spec() -> ServiceSpec:
    """The Toxiproxy-compatible proxy every link runs through."""
    return ServiceSpec(
        NETPROXY, NETPROXY, None, "harness.netproxy", ready_path="/version", spans_regions=True
    )


def inference_spec(inst: InstancePlan, model_dir: Path) -> ServiceSpec:
    """One inference instance serving the reference model."""
    args = (
        "--model",
        "{mount:model}/model.onnx",
        "--instance",
        inst.name,
        "--region",
        inst.region or "",
    )
    return ServiceSpec(
        inst.name,
        inst.service,
        inst.region,
        "targets.inference.server",
        args,
        mounts={"model": model_dir},
        ready_path="/readyz",
    )


def gateway_spec(config: Path) -> ServiceSpec:
    """The gateway in front of every region."""
    return ServiceSpec(
        GATEWAY,
        GATEWAY,
        None,
        "targets.gateway.server",
        ("--config", "{mount:config}/gateway.json"),
        mounts={"config": config.parent},
        ready_path="/healthz",
    )


def gateway_config(plan: Plan, link_url: Callable[[LinkPlan], str]) -> dict[str, Any]:
    """The gateway's JSON config: regions in priority order, each instance behind its link."""
    gw = plan.gateway
    return {
        "architecture": plan.topology.architecture,
        "regions": [
            {
                "name": region,
                "instances": [
                    {"id": link.dst.name, "url": link_url(link)}
                    for link in plan.topology.links
                    if link.dst.region == region
                ],
            }
            for region in plan.topology.regions
        ],
        "health_check": {
            "interval_s": gw.interval_s,
            "timeout_s": gw.timeout_s,
            "unhealthy_threshold": gw.unhealthy_threshold,
            "healthy_threshold": gw.healthy_threshold,
        },
        "retry": {"attempts": gw.attempts, "per_request_timeout_s": gw.per_request_timeout_s},
    }
