"""How each service of the reference stack is launched: module, arguments, mounts, gateway config."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.backends.base import ServiceSpec, Sidecar
from harness.scenario.plan import PipelinePlan, Plan
from harness.scenario.topology import (
    GATEWAY,
    INFERENCE,
    INGEST,
    OBJECT_STORE,
    REPLICATOR,
    RETRAIN,
    InstancePlan,
    LinkPlan,
)
from harness.spot.metadata import MOUNT as METADATA  # the sidecar and the state files' mount

# A store URL as a service sees it: through the proxy link from that service to the store.
StoreUrl = Callable[[InstancePlan, str], str]

NETPROXY = "netproxy"
INFERENCE_DRAIN_GRACE_S = 0.5  # readiness false this long after SIGTERM, before the listener closes


def netproxy_spec() -> ServiceSpec:
    """The Toxiproxy-compatible proxy every link runs through."""
    return ServiceSpec(
        NETPROXY, NETPROXY, None, "harness.netproxy", ready_path="/version", spans_regions=True
    )


def inference_spec(
    inst: InstancePlan,
    plan: Plan,
    model_dir: Path,
    store_url: StoreUrl,
    metadata_dir: Path | None = None,
) -> ServiceSpec:
    """One inference instance serving the reference model (and polling its registry).

    A spot instance also gets its own metadata server as a sidecar and, unless the scenario
    turns the handler off, polls it to drain on an interruption notice (docs/spot.md).
    """
    args: tuple[str, ...] = (
        "--model",
        "{mount:model}/model.onnx",
        "--instance",
        inst.name,
        "--region",
        inst.region or "",
        "--profile",
        "{mount:model}/profile.json",
        # Its own SIGTERM drain races the gateway's health checks, so it shrinks with them.
        "--drain-grace-s",
        f"{INFERENCE_DRAIN_GRACE_S * plan.time_scale:g}",
    )
    pipeline, spot = plan.pipeline, plan.spot
    if pipeline is not None:
        registry = store_url(inst, inst.region or "")
        args += ("--registry", registry, "--registry-poll-s", f"{pipeline.registry_poll_s:g}")
    mounts = {"model": model_dir}
    sidecars: tuple[Sidecar, ...] = ()
    if inst.spot and metadata_dir is not None:
        mounts[METADATA] = metadata_dir
        sidecars = (metadata_sidecar(inst),)
        if spot.drain_on_notice:
            url = f"{{sidecar:{METADATA}}}"
            args += ("--spot-metadata", url, "--spot-provider", spot.provider)
            args += ("--spot-poll-s", f"{spot.notice_poll_s:g}")
    return ServiceSpec(
        inst.name,
        inst.service,
        inst.region,
        "targets.inference.server",
        args,
        mounts=mounts,
        ready_path="/readyz",
        sidecars=sidecars,
    )


def metadata_sidecar(inst: InstancePlan) -> Sidecar:
    """The instance's own metadata endpoint, serving its state file."""
    state = f"{{mount:{METADATA}}}/{inst.name}.json"
    return Sidecar(METADATA, "targets.metadata.server", ("--state", state, "--instance", inst.name))


def pipeline_spec(
    inst: InstancePlan,
    regions: tuple[str, ...],
    pipeline: PipelinePlan,
    model_dir: Path,
    store_url: StoreUrl,
) -> ServiceSpec:
    """An object store, ingest, replicator or retrain instance of one region."""
    region = inst.region or ""
    others = [r for r in regions if r != region]
    args: list[str] = ["--region", region]
    if inst.service != OBJECT_STORE:
        args += ["--instance", inst.name, "--store", store_url(inst, region)]
    if inst.service == INGEST:
        args += ["--replication", pipeline.replication, "--profile", "{mount:model}/profile.json"]
        if pipeline.replication == "sync":
            args += _replicas(inst, others, store_url, "--replica")
    elif inst.service == REPLICATOR:
        args += _replicas(inst, others, store_url, "--replica")
        args += ["--interval-s", f"{pipeline.interval_s:g}", "--lag-s", f"{pipeline.lag_s:g}"]
    elif inst.service == RETRAIN:
        args += _replicas(inst, [region, *others], store_url, "--publish")
        args += _retrain_args(pipeline)
    module = {
        OBJECT_STORE: "targets.objectstore.server",
        INGEST: "targets.pipeline.ingest",
        REPLICATOR: "targets.pipeline.replicator",
        RETRAIN: "targets.pipeline.retrain",
    }[inst.service]
    image = "object-store" if inst.service == OBJECT_STORE else "pipeline"
    return ServiceSpec(
        inst.name, image, inst.region, module, tuple(args), mounts={"model": model_dir}
    )


def _replicas(inst: InstancePlan, regions: list[str], store_url: StoreUrl, flag: str) -> list[str]:
    out: list[str] = []
    for region in regions:
        out += [flag, f"{region}={store_url(inst, region)}"]
    return out


def _retrain_args(pipeline: PipelinePlan) -> list[str]:
    rt = pipeline.retrain
    assert rt is not None
    return [
        "--golden",
        "{mount:model}/holdout.npz",
        "--profile",
        "{mount:model}/profile.json",
        "--check-interval-s",
        f"{rt.check_interval_s:g}",
        "--every-s",
        f"{rt.every_s:g}",
        "--on-drift" if rt.on_drift else "--no-on-drift",
        "--window",
        str(rt.window),
        "--min-rows",
        str(rt.min_rows),
        "--max-drop",
        f"{rt.max_drop:g}",
    ]


def service_spec(
    inst: InstancePlan,
    plan: Plan,
    model_dir: Path,
    store_url: StoreUrl,
    metadata_dir: Path | None = None,
) -> ServiceSpec:
    """The spec of any regional instance."""
    if inst.service == INFERENCE:
        return inference_spec(inst, plan, model_dir, store_url, metadata_dir)
    assert plan.pipeline is not None
    return pipeline_spec(inst, plan.topology.regions, plan.pipeline, model_dir, store_url)


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
                    if link.src == GATEWAY and link.dst.region == region
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
