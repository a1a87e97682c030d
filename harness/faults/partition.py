"""Fault `partition`: two regions cannot reach each other (replication and remote writes cut)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field

from harness.faults.base import Fault, FaultContext, register_fault, undo_each
from harness.scenario.types import CheckContext, FaultSpecBase, SpecIssue


class PartitionSpec(FaultSpecBase):
    """Every link from one region of `between` to the other goes down, both ways."""

    kind: Literal["partition"]
    between: tuple[str, str] = Field(description="the two regions cut from each other")

    def describe_target(self) -> str:
        """'us-east-1 and eu-west-1'."""
        return " and ".join(self.between)

    def target_phrase(self) -> str:
        """'between us-east-1 and eu-west-1'."""
        return f"between {self.describe_target()}"

    def check(self, ctx: CheckContext) -> list[SpecIssue]:
        """Both regions must exist and differ."""
        regions = ctx.regions
        a, b = self.between
        issues: list[SpecIssue] = [
            (("between", i), f"no region named {r!r} in the stack", f"known: {', '.join(regions)}")
            for i, r in enumerate(self.between)
            if r not in regions
        ]
        if a == b:
            issues.append((("between",), "a partition needs two different regions", None))
        return issues


@register_fault
@dataclass(eq=False)
class PartitionFault(Fault[PartitionSpec]):
    """Links down through the proxy; the gateway (in no region) keeps reaching both."""

    _downed: list[str] = field(default_factory=list, init=False)

    def inject(self, ctx: FaultContext) -> None:
        """Take down every link between the two regions."""
        for link in ctx.topology.links_between(*self.spec.between):
            self._downed.append(link.name)
            ctx.stack.cut(link)

    def revert(self, ctx: FaultContext) -> None:
        """Bring every cut link back up."""
        undo_each(self._downed, ctx.stack.restore)
