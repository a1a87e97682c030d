"""What every fault is: a spec, an inject and a revert, registered by kind."""

from __future__ import annotations

import abc
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, TypeVar

from harness.events import EventLog
from harness.registry import Registry
from harness.scenario.types import FaultSpecBase

if TYPE_CHECKING:
    from harness.stack import RunningStack


@dataclass
class FaultContext:
    """What a fault may use: the running stack, the event log, its own seeded rng, the clock."""

    stack: RunningStack
    events: EventLog
    rng: random.Random
    clock: Callable[[], float]


class Fault(abc.ABC):
    """One scheduled fault; `revert` must undo whatever `inject` managed to do."""

    Spec: ClassVar[type[FaultSpecBase]]

    def __init__(self, spec: FaultSpecBase, name: str) -> None:
        self.spec = spec
        self.name = name

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


FAULTS: Registry[type[Fault]] = Registry("fault")
F = TypeVar("F", bound=type[Fault])


def register_fault(kind: str) -> Callable[[F], F]:
    """Class decorator: register a Fault subclass under its YAML `kind`."""

    def deco(cls: F) -> F:
        FAULTS.register(kind)(cls)
        return cls

    return deco
