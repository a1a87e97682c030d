"""A kind is one file: its module is found by listing the package, its kind read from its spec."""

from __future__ import annotations

import pkgutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

import harness.backends
import harness.corrupt
import harness.faults
from harness.backends import BACKENDS
from harness.corrupt import CORRUPTIONS
from harness.discovery import import_modules
from harness.faults import FAULTS, Fault, FaultContext, register_fault
from harness.scenario.types import FaultSpecBase

TINY_MODULE = """
from dataclasses import dataclass, field
from typing import Literal

from harness.faults.base import Fault, FaultContext, register_fault
from harness.scenario.types import FaultSpecBase


class DropSpec(FaultSpecBase):
    kind: Literal["drop_everything"]


@register_fault
@dataclass(eq=False)
class DropFault(Fault[DropSpec]):
    dropped: list[str] = field(default_factory=list, init=False)

    def inject(self, ctx: FaultContext) -> None:
        self.dropped.append("all")

    def revert(self, ctx: FaultContext) -> None:
        self.dropped.clear()
"""


def modules_of(package: object) -> set[str]:
    return {m.name for m in pkgutil.iter_modules(package.__path__)}  # type: ignore[attr-defined]


@pytest.mark.usefixtures("scratch_registry")
def test_a_new_fault_module_is_found_without_an_import_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "drop_everything.py").write_text(TINY_MODULE)
    monkeypatch.setattr(harness.faults, "__path__", [*harness.faults.__path__, str(tmp_path)])
    # What harness/faults/__init__.py runs at import, now over a folder with one more file.
    try:
        found = import_modules(harness.faults.__name__, harness.faults.__path__, skip=("base",))
    finally:
        sys.modules.pop("harness.faults.drop_everything", None)
    assert "drop_everything" in found
    assert "drop_everything" in FAULTS
    assert FAULTS.get("drop_everything").Spec.__name__ == "DropSpec"
    assert FAULTS.get("drop_everything").__module__ == "harness.faults.drop_everything"


def test_every_fault_module_is_its_kind() -> None:
    assert set(FAULTS.kinds()) == modules_of(harness.faults) - {"base"}
    for kind, cls in FAULTS.items():
        assert cls.__module__ == f"harness.faults.{kind}"
        assert cls.Spec.model_fields["kind"].annotation == Literal[kind]


def test_every_corruption_and_backend_module_is_found() -> None:
    helpers = {"api", "base", "cells", "sampling", "request"}
    assert set(CORRUPTIONS.kinds()) == modules_of(harness.corrupt) - helpers
    assert {"docker", "process"} <= set(BACKENDS.kinds())
    assert {cls.__module__.rpartition(".")[2] for _, cls in BACKENDS.items()} == {
        "docker",
        "process",
    }


class EchoSpec(FaultSpecBase):
    kind: Literal["echo"]
    words: int = 1


@dataclass(eq=False)
class EchoFault(Fault[EchoSpec]):
    said: list[int] = field(default_factory=list, init=False)

    def inject(self, ctx: FaultContext) -> None:
        self.said.append(self.spec.words)  # typed: no isinstance check needed

    def revert(self, ctx: FaultContext) -> None:
        self.said.clear()


@pytest.mark.usefixtures("scratch_registry")
def test_the_kind_is_read_from_the_spec() -> None:
    register_fault(EchoFault)
    assert FAULTS.get("echo") is EchoFault and EchoFault.Spec is EchoSpec
    spec = EchoSpec(kind="echo", at=1.0, duration=2.0, words=3)
    first, second = EchoFault(spec, "a"), EchoFault(spec, "b")
    first.inject(None)  # type: ignore[arg-type]
    assert (first.said, second.said) == ([3], [])  # state is per instance


@pytest.mark.usefixtures("scratch_registry")
def test_a_second_class_for_a_kind_is_refused() -> None:
    register_fault(EchoFault)

    @dataclass(eq=False)
    class Again(EchoFault):
        pass

    with pytest.raises(TypeError, match="Fault\\[ItsSpec\\]"):
        register_fault(Again)  # no Fault[...] of its own: which spec would it be?

    @dataclass(eq=False)
    class Twin(Fault[EchoSpec]):
        def inject(self, ctx: FaultContext) -> None: ...
        def revert(self, ctx: FaultContext) -> None: ...

    with pytest.raises(ValueError, match="duplicate fault kind 'echo'"):
        register_fault(Twin)


def test_registration_says_what_is_wrong_with_a_class() -> None:
    class Loose(FaultSpecBase):
        kind: str  # type: ignore[misc]  (not a Literal)

    class LooseFault(Fault[Loose]):
        def inject(self, ctx: FaultContext) -> None: ...
        def revert(self, ctx: FaultContext) -> None: ...

    with pytest.raises(TypeError, match=r"Loose\.kind must be Literal"):
        register_fault(LooseFault)

    class Stateful(Fault[EchoSpec]):
        seen: list[str]

        def inject(self, ctx: FaultContext) -> None: ...
        def revert(self, ctx: FaultContext) -> None: ...

    with pytest.raises(TypeError, match="make it a @dataclass"):
        register_fault(Stateful)


def test_faults_look_up_the_topology_one_way() -> None:
    """Through `ctx.topology`; the stack is for its primitives (cut, kill, pause...)."""
    folder = Path(harness.faults.__file__).parent
    texts = {p.name: p.read_text() for p in folder.glob("*.py") if p.name != "base.py"}
    assert [n for n, t in texts.items() if "stack.plan" in t or "stack.select_" in t] == []
