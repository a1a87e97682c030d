"""What every fault is: a typed spec, an inject and a revert, registered by the kind its spec names."""

from __future__ import annotations

import abc
import inspect
import random
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Generic

from typing_extensions import TypeVar

from harness.events import EventLog
from harness.registry import Registry, spec_kind
from harness.scenario.types import FaultSpecBase

if TYPE_CHECKING:
    from harness.pipeline.feed import Feed
    from harness.scenario.plan import Plan
    from harness.scenario.topology import Topology
    from harness.stack import RunningStack

# A serving corruption as the load worker takes it: (start_s, end_s, npz path of the rows).
CorruptionWindow = tuple[float, float, str]


@dataclass
class FaultContext:
    """What a fault may use: the running stack, the event log, its own seeded rng, the clock, the feed.

    Faults look up what they act on in `topology` and act through the stack's primitives.
    """

    stack: RunningStack
    events: EventLog
    rng: random.Random
    clock: Callable[[], float]
    feed: Feed | None = None  # the pipeline's record feed, when the scenario has one

    @property
    def topology(self) -> Topology:
        """The stack's instances and links, to select what the fault acts on."""
        return self.stack.plan.topology


@dataclass(frozen=True)
class PrepareContext:
    """What a fault may use before the run: the plan, the rows the load sends, the run's folder."""

    plan: Plan
    holdout: Path  # npz of the held-out rows (`X`, `y`) the load generator sends
    out_dir: Path


@dataclass(frozen=True)
class Preparation:
    """What a fault hands the load generator before it starts."""

    corruptions: tuple[CorruptionWindow, ...] = ()


# The default lets code that handles any kind write plain `Fault` (the schedule does).
S = TypeVar("S", bound=FaultSpecBase, default=FaultSpecBase)


@dataclass(eq=False)
class Fault(abc.ABC, Generic[S]):
    """One scheduled fault; `revert` must undo whatever `inject` managed to do.

    A kind subclasses `Fault[ItsSpec]` as a dataclass (its per-run state are fields with
    defaults) and is decorated with `@register_fault`, which reads the kind from the spec.
    """

    Spec: ClassVar[type[FaultSpecBase]]  # set by register_fault from the class's `Fault[...]`

    spec: S
    name: str

    def prepare(self, ctx: PrepareContext) -> Preparation:
        """Before the run starts: what the load needs from this fault (nothing by default).

        Called on an instance of its own, not the one the schedule injects: keep no state.
        """
        return Preparation()

    @abc.abstractmethod
    def inject(self, ctx: FaultContext) -> None:
        """Apply the fault to the stack."""

    @abc.abstractmethod
    def revert(self, ctx: FaultContext) -> None:
        """Undo the fault; called even when inject failed half-way."""


def undo_each(names: list[str], undo: Callable[[str], None]) -> None:
    """Undo every item, last first; each is tried even if another fails, then the first error raises."""
    first: Exception | None = None
    while names:
        try:
            undo(names.pop())
        except Exception as exc:  # keep going: one stuck link must not leave the others faulty
            first = first or exc
    if first is not None:
        raise first


FAULTS: Registry[type[Fault[typing.Any]]] = Registry("fault")
F = TypeVar("F", bound=type[Fault[typing.Any]])


def register_fault(cls: F) -> F:
    """Class decorator: register a `Fault[Spec]` subclass under the kind its spec's Literal names."""
    spec = _spec_of(cls)
    if inspect.get_annotations(cls) and "__dataclass_fields__" not in vars(cls):
        raise TypeError(f"{cls.__name__} declares state: make it a @dataclass(eq=False)")
    cls.Spec = spec
    FAULTS.register(spec_kind(spec))(cls)
    return cls


def _spec_of(cls: type) -> type[FaultSpecBase]:
    for base in vars(cls).get("__orig_bases__", ()):
        origin, args = typing.get_origin(base), typing.get_args(base)
        if isinstance(origin, type) and issubclass(origin, Fault) and args:
            spec = args[0]
            if isinstance(spec, type) and issubclass(spec, FaultSpecBase):
                return spec
    raise TypeError(f"{cls.__name__} must subclass Fault[ItsSpec] to be registered")


def prepare_faults(ctx: PrepareContext) -> Preparation:
    """Every scheduled fault's preparation, merged: what the load is started with."""
    corruptions: list[CorruptionWindow] = []
    for sf in ctx.plan.faults:
        fault = FAULTS.get(sf.spec.kind)(sf.spec, sf.name)
        corruptions += fault.prepare(ctx).corruptions
    return Preparation(tuple(corruptions))
