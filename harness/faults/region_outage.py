"""Fault `region_outage`: a whole region goes away (instances killed, or links cut)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.events import LinkChanged
from harness.faults.base import Fault, FaultContext, register_fault, undo_each
from harness.scenario.types import FaultSpecBase


class RegionOutageSpec(FaultSpecBase):
    """Take `target.region` out: `kill` its instances or `isolate` it from the network."""

    kind: Literal["region_outage"]
    mode: Literal["kill", "isolate"] = Field(
        "kill", description="kill: SIGKILL every instance; isolate: every link into it down"
    )

    def required_target_fields(self) -> tuple[str, ...]:
        return ("region",)


@register_fault("region_outage")
class RegionOutageFault(Fault):
    """Kill (restart on revert) or isolate (reconnect on revert) every instance of a region."""

    Spec = RegionOutageSpec

    def __init__(self, spec: FaultSpecBase, name: str) -> None:
        super().__init__(spec, name)
        self._killed: list[str] = []
        self._downed: list[str] = []

    def inject(self, ctx: FaultContext) -> None:
        """Kill every instance, or disable every link into the region."""
        spec = self.spec
        assert isinstance(spec, RegionOutageSpec)
        if spec.mode == "kill":
            for inst in ctx.stack.select_instances(spec.target):
                self._killed.append(inst.name)
                ctx.stack.kill(inst, reason=self.name)
        else:
            for link in ctx.stack.select_links(spec.target):
                self._downed.append(link.name)
                ctx.stack.proxy(link).disable()
                ctx.events.emit(LinkChanged(ctx.clock(), link=link.name, change="down"))

    def revert(self, ctx: FaultContext) -> None:
        """Restart what was killed and bring up what was cut."""

        def bring_up(link_name: str) -> None:
            ctx.stack.proxy(ctx.stack.link(link_name)).enable()
            ctx.events.emit(LinkChanged(ctx.clock(), link=link_name, change="up"))

        undo_each(self._downed, bring_up)
        killed, self._killed = self._killed, []
        ctx.stack.restart_all([ctx.stack.instance(n) for n in killed])
