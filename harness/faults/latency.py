"""Fault `latency`: delay every response on the selected links (a Toxiproxy latency toxic)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field

from harness.events import LinkChanged
from harness.faults.base import Fault, FaultContext, register_fault, undo_each
from harness.scenario.durations import Duration
from harness.scenario.types import FaultSpecBase


class LatencySpec(FaultSpecBase):
    """Add `latency` ± `jitter` to each response chunk on links matched by `target`."""

    kind: Literal["latency"]
    latency: Duration = Field(description="added delay (not scaled by --time-scale)")
    jitter: Duration = Field(0.0, description="uniform ± spread around the latency (not scaled)")


@register_fault
@dataclass(eq=False)
class LatencyFault(Fault[LatencySpec]):
    """Latency toxic on the downstream (response) direction of every selected link."""

    _applied: list[str] = field(default_factory=list, init=False)

    def inject(self, ctx: FaultContext) -> None:
        """Add one latency toxic per selected link."""
        spec = self.spec
        attrs = {"latency": round(spec.latency * 1000), "jitter": round(spec.jitter * 1000)}
        for link in ctx.topology.select_links(spec.target):
            ctx.stack.proxy(link).add_toxic(
                name=self.name, type="latency", stream="downstream", toxicity=1.0, attributes=attrs
            )
            self._applied.append(link.name)
            ctx.events.emit(LinkChanged(ctx.clock(), link=link.name, change=f"latency {attrs}"))

    def revert(self, ctx: FaultContext) -> None:
        """Remove the toxics this fault added."""

        def remove(link_name: str) -> None:
            ctx.stack.proxy(ctx.stack.link(link_name)).destroy_toxic(self.name)
            ctx.events.emit(LinkChanged(ctx.clock(), link=link_name, change="latency removed"))

        undo_each(self._applied, remove)
