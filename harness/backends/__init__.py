"""Backends run the stack's instances: `process` (local subprocesses), later `docker`."""

from __future__ import annotations

from harness.backends.base import BACKENDS, Backend, InstanceHandle, ServiceSpec

from harness.backends import docker, process  # noqa: F401  isort: skip  (register themselves)

__all__ = ["BACKENDS", "Backend", "InstanceHandle", "ServiceSpec"]
