"""Fault `region_outage`: a whole region goes away (instances killed or frozen, or links cut)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field

from harness.faults.base import Fault, FaultContext, register_fault, undo_each
from harness.scenario.types import FaultSpecBase


class RegionOutageSpec(FaultSpecBase):
    """Take `target.region` out: `kill` or `freeze` its instances, or `isolate` it."""

    kind: Literal["region_outage"]
    mode: Literal["kill", "isolate", "freeze"] = Field(
        "kill",
        description="kill: SIGKILL every instance (object store included: its data is lost), "
        "restart on revert; isolate: every link into or out of the region down; "
        "freeze: every instance paused (SIGSTOP / container pause)",
    )

    def required_target_fields(self) -> tuple[str, ...]:
        return ("region",)


@register_fault
@dataclass(eq=False)
class RegionOutageFault(Fault[RegionOutageSpec]):
    """Each mode records what it did, so revert undoes exactly that, even after a half inject."""

    _killed: list[str] = field(default_factory=list, init=False)
    _frozen: list[str] = field(default_factory=list, init=False)
    _downed: list[str] = field(default_factory=list, init=False)

    def inject(self, ctx: FaultContext) -> None:
        """Kill, freeze, or cut off every instance of the region."""
        spec = self.spec
        if spec.mode == "isolate":
            assert spec.target.region is not None
            for link in ctx.topology.links_across(spec.target.region):
                ctx.stack.cut(link)
                self._downed.append(link.name)
            return
        # Recorded once the call returned: a kill or pause that raised left its instance running,
        # and reverting it (restart, resume) would act on an instance that never went down.
        for inst in ctx.topology.select_instances(spec.target):
            if spec.mode == "kill":
                ctx.stack.kill(inst, reason=self.name)
                self._killed.append(inst.name)
            else:
                ctx.stack.pause(inst)
                self._frozen.append(inst.name)

    def revert(self, ctx: FaultContext) -> None:
        """Bring up what was cut, thaw what was frozen, restart what was killed."""
        undo_each(self._downed, ctx.stack.restore)
        undo_each(self._frozen, lambda name: ctx.stack.resume(ctx.stack.instance(name)))
        killed, self._killed = self._killed, []
        ctx.stack.restart_all([ctx.stack.instance(n) for n in killed], wait=False)
