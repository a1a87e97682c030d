"""Toxic types keyed by their Toxiproxy `type`; every module in this package registers one."""

from __future__ import annotations

import importlib
import pkgutil

from harness.netproxy.toxics.base import (
    TOXICS,
    Chunk,
    Expired,
    Interrupted,
    Toxic,
    ToxicAttributes,
    ToxicStub,
    register_toxic,
)

__all__ = [
    "TOXICS",
    "Chunk",
    "Expired",
    "Interrupted",
    "Toxic",
    "ToxicAttributes",
    "ToxicStub",
    "register_toxic",
]


def _load_all() -> None:
    # A new toxic type is one new file here: importing it runs its @register_toxic.
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            importlib.import_module(f"{__name__}.{module.name}")


_load_all()
