"""Faults, one module per kind, registered by the `kind` their spec names."""

from __future__ import annotations

from harness.discovery import import_modules
from harness.faults.base import (
    FAULTS,
    Fault,
    FaultContext,
    Preparation,
    PrepareContext,
    prepare_faults,
    register_fault,
)

__all__ = [
    "FAULTS",
    "Fault",
    "FaultContext",
    "Preparation",
    "PrepareContext",
    "prepare_faults",
    "register_fault",
]

# A new kind is one new module here: importing it runs its @register_fault.
import_modules(__name__, __path__, skip=("base",))
