"""Import structure: the CLI stays light, no module cycle, and the core names no fault kind.

Importing the CLI must not pull in locust/gevent (they patch the process).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path


def test_cli_import_leaves_locust_and_gevent_out() -> None:
    code = (
        "import sys, harness.cli, harness.run, harness.execute; "
        "print(sorted(m for m in ('locust', 'gevent') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


ROOT = Path(__file__).resolve().parents[2]


def _modules() -> dict[str, Path]:
    mods = {}
    for path in (ROOT / "harness").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        mods[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return mods


def _imports(path: Path, name: str, mods: dict[str, Path], type_checking: bool) -> set[str]:
    """Harness modules `name` imports: top level and in functions, under TYPE_CHECKING if asked."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                if type_checking:
                    visit(child)
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and not child.level:
                subs = {f"{child.module}.{a.name}" for a in child.names}
                # `from pkg import submodule` needs the submodule, not the rest of pkg
                found.update(subs & mods.keys() or {child.module})
            visit(child)

    visit(ast.parse(path.read_text()))
    out = set()
    for target in found:
        while target and target not in mods:
            target = target.rpartition(".")[0]
        if target and target != name:
            out.add(target)
            # importing a.b.c runs the __init__ of a and a.b first
            out.update(
                p for p in _parents(target) if p in mods and not (name + ".").startswith(p + ".")
            )
    return out


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of `graph` as a path, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := walk(nxt)):
                return found
        state[node] = 2
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := walk(node)):
            return found
    return None


def test_no_import_cycle_even_through_function_local_imports() -> None:
    mods = _modules()
    graph = {n: _imports(p, n, mods, type_checking=False) for n, p in mods.items()}
    assert _cycle(graph) is None


def test_pipeline_never_imports_faults_and_stack_never_imports_pipeline() -> None:
    mods = _modules()
    every = {n: _imports(p, n, mods, type_checking=True) for n, p in mods.items()}
    pipeline_to_faults = {
        (n, t)
        for n, ts in every.items()
        if n.startswith("harness.pipeline")
        for t in ts
        if t.startswith("harness.faults")
    }
    assert pipeline_to_faults == set()  # the corruption effects take a CorruptionRequest
    assert {t for t in every["harness.stack"] if t.startswith("harness.pipeline")} == set()


def test_no_fault_kind_is_named_outside_its_own_package() -> None:
    from harness.faults import FAULTS

    kinds = set(FAULTS.kinds())
    named = []
    for name, path in _modules().items():
        if name.startswith(("harness.faults", "harness.netproxy")):  # toxics have a "latency"
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in kinds:
                named.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert named == []
