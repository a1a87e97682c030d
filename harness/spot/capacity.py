"""Spot capacity of a running stack: which instances are spot now, their ends, their replacements.

A preempted instance keeps its slot (name, port, proxy link, gateway entry): its replacement is a
new process or container in that slot, like an autoscaling group launching into the same target
group, so the gateway takes it back once its health checks pass.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from harness.events import EventLog, InstancePreempted, NoCapacity, ReplacementStarted
from harness.scenario.spot import SPOT
from harness.scenario.types import TargetSelector
from harness.spot.metadata import MetadataFiles

if TYPE_CHECKING:
    from harness.backends.base import Backend, InstanceHandle
    from harness.scenario.plan import Plan
    from harness.scenario.topology import InstancePlan

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplacementPolicy:
    """What replaces a preempted instance, and after how long (scaled)."""

    capacity: str  # spot, on_demand or none
    delay_s: float


class CapacityHost(Protocol):
    """What spot capacity needs of the running stack, and nothing more (RunningStack is one)."""

    @property
    def plan(self) -> Plan: ...

    @property
    def backend(self) -> Backend: ...

    @property
    def events(self) -> EventLog: ...

    @property
    def handles(self) -> dict[str, InstanceHandle]: ...

    def clock(self) -> float:
        """Seconds since the run started."""
        ...

    def restart_all(self, instances: list[InstancePlan]) -> None:
        """Start instances again and wait until each is ready."""
        ...


@dataclass
class SpotCapacity:
    """The pricing class of every slot now, and the threads launching replacements."""

    stack: CapacityHost
    metadata: MetadataFiles
    policy: ReplacementPolicy
    pricing: dict[str, str] = field(default_factory=dict)
    _busy: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.pricing = {i.name: i.pricing for i in self.stack.plan.topology.instances}

    def claim(
        self, selector: TargetSelector, pick: Callable[[list[InstancePlan]], list[InstancePlan]]
    ) -> list[InstancePlan]:
        """Pick among the running spot instances matching `selector`; they are claimed at once."""
        with self._lock:
            free = [
                i
                for i in self.stack.plan.topology.select_instances(selector)
                if self.pricing[i.name] == SPOT and i.name not in self._busy
            ]
            chosen = pick(free)
            self._busy.update(i.name for i in chosen)
        return chosen

    def release(self, inst: InstancePlan) -> None:
        """Give a claimed instance back (its preemption was cancelled before termination)."""
        self.metadata.clear(inst.name)
        with self._lock:
            self._busy.discard(inst.name)

    def terminate(self, inst: InstancePlan, fault: str, grace_s: float, capacity: str) -> None:
        """SIGTERM now, SIGKILL after the grace; then launch the replacement `capacity` says."""
        clock = self.stack.clock
        t_term = clock()
        handle = self.stack.handles[inst.name]
        if grace_s <= 0:  # no guest shutdown: the machine is just gone
            self.stack.backend.kill(handle)
            forced = True
        else:
            forced = self.stack.backend.stop(handle, grace_s)
        self.stack.events.emit(
            InstancePreempted(
                t_term, instance=inst.name, fault=fault, gone_at=clock(), forced=forced
            )
        )
        self._replace(inst, capacity)

    def _replace(self, inst: InstancePlan, capacity: str) -> None:
        if capacity == "none":
            self.stack.events.emit(NoCapacity(self.stack.clock(), instance=inst.name))
            return
        thread = threading.Thread(
            target=self._launch, args=(inst, capacity), name=f"replace-{inst.name}", daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def _launch(self, inst: InstancePlan, capacity: str) -> None:
        if self._stopping.wait(self.policy.delay_s):
            return
        self.metadata.clear(inst.name)
        pricing = capacity  # spot or on_demand: `none` never gets here
        with self._lock:
            self.pricing[inst.name] = pricing
        self.stack.events.emit(
            ReplacementStarted(
                self.stack.clock(),
                instance=inst.name,
                pricing=pricing,
                instance_type=inst.instance_type,
            )
        )
        try:
            self.stack.restart_all([inst])
        except Exception as exc:  # the slot stays empty; the run goes on and says so
            log.warning("replacement for %s failed", inst.name, exc_info=True)
            reason = f"replacement failed: {exc}"
            self.stack.events.emit(NoCapacity(self.stack.clock(), inst.name, reason))
            return
        with self._lock:
            self._busy.discard(inst.name)

    def stop(self) -> None:
        """No more replacements; wait for launches in progress."""
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=60)


def pick_seeded(
    rng: random.Random, count: int | None, fraction: float | None
) -> Callable[[list[InstancePlan]], list[InstancePlan]]:
    """A picker: `count` instances, or `fraction` of them (at least one), chosen by `rng`."""

    def pick(free: list[InstancePlan]) -> list[InstancePlan]:
        ordered = sorted(free, key=lambda i: i.name)
        if fraction is not None:
            n = max(1, int(len(ordered) * fraction + 0.5))
        else:
            n = count if count is not None else 1
        return sorted(rng.sample(ordered, min(n, len(ordered))), key=lambda i: i.name)

    return pick
