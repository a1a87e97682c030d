"""Faults, one module per kind, registered by their YAML `kind`."""

from __future__ import annotations

from harness.faults.base import FAULTS, Fault, FaultContext, register_fault

# Importing a fault module registers it; add new kinds here.
from harness.faults import (  # noqa: F401  isort: skip
    corrupt_data,
    latency,
    partition,
    region_outage,
    spot_preemption,
)

__all__ = ["FAULTS", "Fault", "FaultContext", "register_fault"]
