"""The harness reaches the reference stack only through its adapter (harness/reference/)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = "targets.contract"
ADAPTER = ROOT / "harness" / "reference"


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in the file, function-local and TYPE_CHECKING ones too."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _imports_targets(module: str) -> bool:
    return module == "targets" or module.startswith("targets.")


def test_the_harness_imports_targets_only_through_the_contract() -> None:
    outside = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in sorted((ROOT / "harness").rglob("*.py"))
        for line, module in imported(path)
        if _imports_targets(module) and module != CONTRACT
    ]
    assert outside == []


def test_outside_the_adapter_the_harness_does_not_import_targets() -> None:
    # docs/own-stack.md: a user's own inference service needs nothing of targets/.
    outside = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in sorted((ROOT / "harness").rglob("*.py"))
        if ADAPTER not in path.parents
        for line, module in imported(path)
        if _imports_targets(module)
    ]
    assert outside == []
    inside = [m for p in ADAPTER.rglob("*.py") for _, m in imported(p) if _imports_targets(m)]
    assert inside, "the scan sees the adapter's own imports (it cannot pass vacuously)"


def test_the_services_do_not_import_the_contract() -> None:
    # The images copy only their part of targets/: the contract names, it defines nothing.
    users = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted((ROOT / "targets").rglob("*.py"))
        if path.name != "contract.py"
        for line, module in imported(path)
        if module == CONTRACT
    ]
    assert users == []


def test_the_docs_describe_every_name_of_the_contract() -> None:
    from targets import contract

    text = (ROOT / "docs" / "pipeline.md").read_text()
    missing = [name for name in contract.__all__ if f"`{name}`" not in text]
    assert missing == []
