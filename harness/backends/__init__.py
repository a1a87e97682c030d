"""Backends run the stack's instances: `process` (local subprocesses) and `docker` (containers)."""

from __future__ import annotations

from harness.backends.base import BACKENDS, Backend, InstanceHandle, ServiceSpec
from harness.discovery import import_modules

__all__ = ["BACKENDS", "Backend", "InstanceHandle", "ServiceSpec"]

# A new backend is one new module here: importing it runs its @BACKENDS.register.
import_modules(__name__, __path__, skip=("base",))
