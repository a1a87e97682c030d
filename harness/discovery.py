"""Find a package's plug-in modules by listing its folder: a new kind is one new file, no import list."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable


def import_modules(package: str, path: Iterable[str], skip: Iterable[str] = ()) -> list[str]:
    """Import every module and subpackage of `package` (its `__path__`) not in `skip`; return their names.

    Importing a kind's module runs its registration decorator, so the registry is complete once
    this returns. Helper modules that register nothing are harmless to import.
    """
    skipped = set(skip)
    names = sorted(m.name for m in pkgutil.iter_modules(list(path)) if m.name not in skipped)
    for name in names:
        importlib.import_module(f"{package}.{name}")
    return names
