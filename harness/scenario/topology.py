"""The stack a scenario describes, resolved into named instances and links."""

from __future__ import annotations

from dataclasses import dataclass

from harness.scenario.model import Stack
from harness.scenario.spot import ON_DEMAND, SPOT
from harness.scenario.types import TargetSelector

INFERENCE = "inference"
GATEWAY = "gateway"
OBJECT_STORE = "object-store"
INGEST = "ingest"
REPLICATOR = "replicator"
RETRAIN = "retrain"
# Start order: a service starts once everything it talks to is up.
SERVICE_ORDER = (OBJECT_STORE, INGEST, REPLICATOR, RETRAIN, INFERENCE, GATEWAY)


@dataclass(frozen=True)
class InstancePlan:
    """One instance to run: `inference-us-east-1-0`, `object-store-eu-west-1`, or the gateway."""

    name: str
    service: str
    region: str | None
    index: int = 0
    pricing: str = ON_DEMAND  # spot or on_demand (at start; a replacement may differ)
    instance_type: str | None = None

    @property
    def spot(self) -> bool:
        """True when the instance starts on spot capacity."""
        return self.pricing == SPOT


@dataclass(frozen=True)
class LinkPlan:
    """A directed connection `src → dst` that runs through the network-fault proxy."""

    name: str
    src: str
    dst: InstancePlan
    src_region: str | None = None  # None: the gateway, which belongs to no region

    @property
    def crosses_regions(self) -> bool:
        """True when the link leaves one region for another (what a partition cuts)."""
        return self.src_region is not None and self.src_region != self.dst.region


@dataclass(frozen=True)
class Topology:
    """Regions in priority order, every instance, and every link between them."""

    architecture: str
    regions: tuple[str, ...]
    instances: tuple[InstancePlan, ...]
    links: tuple[LinkPlan, ...]

    def of_service(self, service: str) -> list[InstancePlan]:
        """Instances of one service, in region priority order."""
        return [i for i in self.instances if i.service == service]

    def inference(self) -> list[InstancePlan]:
        """Inference instances in region priority order."""
        return self.of_service(INFERENCE)

    def regional(self) -> list[InstancePlan]:
        """Every instance that lives in a region (all but the gateway)."""
        return [i for i in self.instances if i.region is not None]

    def instance_named(self, name: str) -> InstancePlan | None:
        """The instance called `name`, if the stack has one."""
        return next((i for i in self.instances if i.name == name), None)

    def spot_instances(self) -> list[InstancePlan]:
        """Instances that start on spot capacity."""
        return [i for i in self.instances if i.spot]

    def has_pipeline(self) -> bool:
        """True when the stack runs object stores and ingest."""
        return bool(self.of_service(OBJECT_STORE))

    def store_of(self, region: str) -> InstancePlan:
        """The object store of `region`."""
        return next(i for i in self.of_service(OBJECT_STORE) if i.region == region)

    def select_instances(self, selector: TargetSelector) -> list[InstancePlan]:
        """Regional instances matching every field of `selector`."""
        return [i for i in self.regional() if _matches(i, selector)]

    def select_links(self, selector: TargetSelector) -> list[LinkPlan]:
        """Links whose destination matches every field of `selector`."""
        return [link for link in self.links if _matches(link.dst, selector)]

    def links_across(self, region: str) -> list[LinkPlan]:
        """Links into or out of `region` from anywhere else (the gateway included)."""
        return [
            link
            for link in self.links
            if (link.dst.region == region) != (link.src_region == region)
        ]

    def links_between(self, a: str, b: str) -> list[LinkPlan]:
        """Links from region `a` to region `b` and back."""
        return [link for link in self.links if {link.src_region, link.dst.region} == {a, b}]


def resolve_topology(stack: Stack) -> Topology:
    """Name every instance and link of `stack`."""
    inference = [
        InstancePlan(
            f"{INFERENCE}-{region.name}-{i}",
            INFERENCE,
            region.name,
            i,
            SPOT if i >= region.inference.replicas - region.inference.spot_count() else ON_DEMAND,
            stack.type_of(region),
        )
        for region in stack.regions
        for i in range(region.inference.replicas)
    ]
    gateway = InstancePlan(GATEWAY, GATEWAY, None, instance_type=stack.default_instance_type)
    links = [LinkPlan(f"{GATEWAY}-to-{inst.name}", GATEWAY, inst) for inst in inference]
    pipeline: list[InstancePlan] = []
    if stack.pipeline is not None:
        pipeline, data_links = _pipeline(stack, inference)
        links += data_links
    instances = sorted(
        [*pipeline, *inference, gateway], key=lambda i: SERVICE_ORDER.index(i.service)
    )
    return Topology(
        architecture=stack.architecture,
        regions=tuple(r.name for r in stack.regions),
        instances=tuple(instances),
        links=tuple(links),
    )


def _pipeline(
    stack: Stack, inference: list[InstancePlan]
) -> tuple[list[InstancePlan], list[LinkPlan]]:
    """Stores, ingest, replicators and the retrain job, and every link they use to a store."""
    assert stack.pipeline is not None
    regions = [r.name for r in stack.regions]
    kind = stack.default_instance_type
    stores = {
        r: InstancePlan(f"{OBJECT_STORE}-{r}", OBJECT_STORE, r, instance_type=kind) for r in regions
    }
    mode = stack.pipeline.replication.mode
    instances = list(stores.values())
    links: list[LinkPlan] = []

    def add(service: str, region: str, writes_to: list[str]) -> InstancePlan:
        inst = InstancePlan(f"{service}-{region}", service, region, instance_type=kind)
        instances.append(inst)
        links.extend(_store_link(inst.name, region, stores[r]) for r in writes_to)
        return inst

    for r in regions:
        others = [o for o in regions if o != r]
        add(INGEST, r, [r, *others] if mode == "sync" else [r])
        if mode == "async":
            add(REPLICATOR, r, [r, *others])
    if stack.pipeline.retrain is not None:
        first = regions[0]
        add(RETRAIN, first, [first, *[o for o in regions if o != first]])
    links += [_store_link(i.name, i.region or "", stores[i.region or ""]) for i in inference]
    return instances, links


def _store_link(src: str, src_region: str, store: InstancePlan) -> LinkPlan:
    return LinkPlan(f"{src}-to-{store.name}", src, store, src_region)


def _matches(inst: InstancePlan, selector: TargetSelector) -> bool:
    return (
        (selector.region is None or inst.region == selector.region)
        and (selector.service is None or inst.service == selector.service)
        and (selector.instance is None or inst.name == selector.instance)
    )
