"""The stack a scenario describes, resolved into named instances and links."""

from __future__ import annotations

from dataclasses import dataclass

from harness.scenario.model import Stack
from harness.scenario.types import TargetSelector

INFERENCE = "inference"
GATEWAY = "gateway"


@dataclass(frozen=True)
class InstancePlan:
    """One instance to run: `inference-us-east-1-0`, or the gateway."""

    name: str
    service: str
    region: str | None
    index: int = 0


@dataclass(frozen=True)
class LinkPlan:
    """A directed connection `src → dst` that runs through the network-fault proxy."""

    name: str
    src: str
    dst: InstancePlan


@dataclass(frozen=True)
class Topology:
    """Regions in priority order, every instance, and every link between them."""

    architecture: str
    regions: tuple[str, ...]
    instances: tuple[InstancePlan, ...]
    links: tuple[LinkPlan, ...]

    def inference(self) -> list[InstancePlan]:
        """Inference instances in region priority order."""
        return [i for i in self.instances if i.service == INFERENCE]

    def select_instances(self, selector: TargetSelector) -> list[InstancePlan]:
        """Inference instances matching every field of `selector`."""
        return [i for i in self.inference() if _matches(i, selector)]

    def select_links(self, selector: TargetSelector) -> list[LinkPlan]:
        """Links whose destination matches every field of `selector`."""
        return [link for link in self.links if _matches(link.dst, selector)]


def resolve_topology(stack: Stack) -> Topology:
    """Name every instance and link of `stack`."""
    instances = [
        InstancePlan(f"{INFERENCE}-{region.name}-{i}", INFERENCE, region.name, i)
        for region in stack.regions
        for i in range(region.inference.replicas)
    ]
    links = [LinkPlan(f"{GATEWAY}-to-{inst.name}", GATEWAY, inst) for inst in instances]
    gateway = InstancePlan(GATEWAY, GATEWAY, None)
    return Topology(
        architecture=stack.architecture,
        regions=tuple(r.name for r in stack.regions),
        instances=(*instances, gateway),
        links=tuple(links),
    )


def _matches(inst: InstancePlan, selector: TargetSelector) -> bool:
    return (
        (selector.region is None or inst.region == selector.region)
        and (selector.service is None or inst.service == selector.service)
        and (selector.instance is None or inst.name == selector.instance)
    )
