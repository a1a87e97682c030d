"""How each service of the reference stack is launched: a table of service kinds, the gateway.

A regional service kind is one entry of `SERVICE_KINDS`: its module, its image and a function
that builds its flags (the service's own flags dataclass, from the contract) for one instance.
The flags are rendered by the service's own definition, so the names are written once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from harness.backends.base import ServiceSpec, Sidecar
from harness.own_service import own_inference, own_service_spec
from harness.registry import Registry
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
from targets.contract import (
    GatewayFlags,
    InferenceFlags,
    IngestFlags,
    MetadataFlags,
    ObjectStoreFlags,
    RegionUrl,
    ReplicatorFlags,
    RetrainFlags,
    service_argv,
)

# A store URL as a service sees it: through the proxy link from that service to the store.
StoreUrl = Callable[[InstancePlan, str], str]

NETPROXY = "netproxy"
INFERENCE_DRAIN_GRACE_S = 0.5  # readiness false this long after SIGTERM, before the listener closes
MODEL = Path("{mount:model}")  # the model folder, as the backend mounts it for the instance


@dataclass(frozen=True)
class Launch:
    """What one instance's flags are built from."""

    inst: InstancePlan
    plan: Plan
    store_url: StoreUrl
    metadata: bool  # a spot instance with its own metadata sidecar

    @property
    def region(self) -> str:
        """The instance's region ("" for none)."""
        return self.inst.region or ""

    @property
    def pipeline(self) -> PipelinePlan:
        """The pipeline's plan (a pipeline service exists only when the scenario has one)."""
        assert self.plan.pipeline is not None
        return self.plan.pipeline

    def store(self, region: str) -> str:
        """The URL of `region`'s object store, as this instance reaches it."""
        return self.store_url(self.inst, region)

    def stores(self, regions: list[str]) -> tuple[RegionUrl, ...]:
        """`REGION=URL` of each region's store, as this instance reaches it."""
        return tuple(RegionUrl(region, self.store(region)) for region in regions)

    def other_regions(self) -> list[str]:
        """Every region of the stack but the instance's own, in priority order."""
        return [r for r in self.plan.topology.regions if r != self.region]


@dataclass(frozen=True)
class ServiceKind:
    """How the instances of one regional service are launched."""

    module: str  # run as `python -m module --host H --port P flags...`
    image: str  # the image a container backend runs
    flags: Callable[[Launch], Any]  # the service's flags dataclass for one instance


SERVICE_KINDS: Registry[ServiceKind] = Registry("service")

FlagsBuilder = Callable[[Launch], Any]


def service_kind(
    name: str, module: str, image: str | None = None
) -> Callable[[FlagsBuilder], FlagsBuilder]:
    """Decorator: register a flags builder as service kind `name` (image: `name` by default)."""

    def deco(build: FlagsBuilder) -> FlagsBuilder:
        SERVICE_KINDS.register(name)(ServiceKind(module, image or name, build))
        return build

    return deco


@service_kind(INFERENCE, "targets.inference.server")
def inference_flags(launch: Launch) -> InferenceFlags:
    """One inference instance serving the reference model (and polling its registry).

    A spot instance with a metadata sidecar polls it to drain on an interruption notice,
    unless the scenario turns the handler off (docs/spot.md).
    """
    plan, pipeline, spot = launch.plan, launch.plan.pipeline, launch.plan.spot
    flags = InferenceFlags(
        model=MODEL / "model.onnx",
        instance=launch.inst.name,
        region=launch.region,
        profile=MODEL / "profile.json",
        # Its own SIGTERM drain races the gateway's health checks, so it shrinks with them.
        drain_grace_s=INFERENCE_DRAIN_GRACE_S * plan.time_scale,
    )
    if pipeline is not None:
        registry = launch.store(launch.region)
        flags = replace(flags, registry=registry, registry_poll_s=pipeline.registry_poll_s)
    if launch.metadata and spot.drain_on_notice:
        metadata = f"{{sidecar:{METADATA}}}"
        flags = replace(
            flags,
            spot_metadata=metadata,
            spot_provider=spot.provider,
            spot_poll_s=spot.notice_poll_s,
        )
    return flags


@service_kind(OBJECT_STORE, "targets.objectstore.server")
def object_store_flags(launch: Launch) -> ObjectStoreFlags:
    """One region's object store."""
    return ObjectStoreFlags(region=launch.region)


@service_kind(INGEST, "targets.pipeline.ingest", image="pipeline")
def ingest_flags(launch: Launch) -> IngestFlags:
    """One region's ingest; with sync replication it also writes every other region's store."""
    mode = launch.pipeline.replication
    return IngestFlags(
        region=launch.region,
        instance=launch.inst.name,
        store=launch.store(launch.region),
        replication=mode,
        profile=MODEL / "profile.json",
        replica=launch.stores(launch.other_regions()) if mode == "sync" else (),
    )


@service_kind(REPLICATOR, "targets.pipeline.replicator", image="pipeline")
def replicator_flags(launch: Launch) -> ReplicatorFlags:
    """One region's replicator, copying to every other region's store."""
    return ReplicatorFlags(
        region=launch.region,
        instance=launch.inst.name,
        store=launch.store(launch.region),
        replica=launch.stores(launch.other_regions()),
        interval_s=launch.pipeline.interval_s,
        lag_s=launch.pipeline.lag_s,
    )


@service_kind(RETRAIN, "targets.pipeline.retrain", image="pipeline")
def retrain_flags(launch: Launch) -> RetrainFlags:
    """Retrain: trains on its region's records, publishes to every region's registry."""
    rt = launch.pipeline.retrain
    assert rt is not None
    return RetrainFlags(
        region=launch.region,
        instance=launch.inst.name,
        store=launch.store(launch.region),
        publish=launch.stores([launch.region, *launch.other_regions()]),
        golden=MODEL / "holdout.npz",
        profile=MODEL / "profile.json",
        check_interval_s=rt.check_interval_s,
        every_s=rt.every_s,
        on_drift=rt.on_drift,
        window=rt.window,
        min_rows=rt.min_rows,
        max_drop=rt.max_drop,
    )


def service_spec(
    inst: InstancePlan,
    plan: Plan,
    model_dir: Path,
    store_url: StoreUrl,
    metadata_dir: Path | None = None,
) -> ServiceSpec:
    """The spec of any regional instance, from its kind's entry in `SERVICE_KINDS`.

    A spot instance also gets its own metadata server as a sidecar (docs/spot.md). An inference
    instance of a region that runs the user's own service is built by `own_service_spec`.
    """
    kind = SERVICE_KINDS.get(inst.service)
    mounts = {"model": model_dir}
    sidecars: tuple[Sidecar, ...] = ()
    if inst.spot and metadata_dir is not None:
        mounts[METADATA] = metadata_dir
        sidecars = (metadata_sidecar(inst),)
    own = own_inference(plan, inst)
    if own is not None:  # the user's inference service (harness/own_service.py)
        return own_service_spec(inst, own, sidecars, metadata_dir)
    launch = Launch(inst, plan, store_url, metadata=bool(sidecars))
    return ServiceSpec(
        inst.name,
        kind.image,
        inst.region,
        kind.module,
        service_argv(kind.flags(launch)),
        mounts=mounts,
        ready_path="/readyz",
        sidecars=sidecars,
    )


def netproxy_spec() -> ServiceSpec:
    """The Toxiproxy-compatible proxy every link runs through."""
    return ServiceSpec(
        NETPROXY, NETPROXY, None, "harness.netproxy", ready_path="/version", spans_regions=True
    )


def metadata_sidecar(inst: InstancePlan) -> Sidecar:
    """The instance's own metadata endpoint, serving its state file."""
    state = Path(f"{{mount:{METADATA}}}") / f"{inst.name}.json"
    flags = MetadataFlags(state=state, instance=inst.name)
    return Sidecar(METADATA, "targets.metadata.server", service_argv(flags))


def gateway_spec(config: Path) -> ServiceSpec:
    """The gateway in front of every region."""
    return ServiceSpec(
        GATEWAY,
        GATEWAY,
        None,
        "targets.gateway.server",
        service_argv(GatewayFlags(config=Path("{mount:config}") / "gateway.json")),
        mounts={"config": config.parent},
        ready_path="/healthz",
    )


def gateway_config(plan: Plan, link_url: Callable[[LinkPlan], str]) -> dict[str, Any]:
    """The gateway's JSON config: regions in priority order, each instance behind its link."""
    gw = plan.gateway
    inference = {r.name: r.inference for r in plan.scenario.stack.regions}
    return {
        "architecture": plan.topology.architecture,
        "regions": [
            {
                "name": region,
                "instances": [
                    {
                        "id": link.dst.name,
                        "url": link_url(link),
                        # the region's own service may speak another protocol: its health path
                        "health_path": inference[region].health_path,
                        "health_status": inference[region].health.status,
                    }
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
