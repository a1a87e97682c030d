"""Seeded data corruptions with severity 1–5 (JENGA / ImageNet-C style), one module per kind."""

from __future__ import annotations

from harness.corrupt.api import (
    SeverityInfo,
    corrupt_bytes,
    corrupt_frame,
    describe,
    severity_markdown,
)
from harness.corrupt.base import (
    CORRUPTIONS,
    SEVERITIES,
    CorruptionError,
    Mechanism,
    Target,
    register_corruption,
)
from harness.corrupt.request import CorruptionRequest, severity_share
from harness.discovery import import_modules

__all__ = [
    "CORRUPTIONS",
    "SEVERITIES",
    "CorruptionError",
    "CorruptionRequest",
    "Mechanism",
    "SeverityInfo",
    "Target",
    "corrupt_bytes",
    "corrupt_frame",
    "describe",
    "register_corruption",
    "severity_markdown",
    "severity_share",
]

# A new kind is one new module here: importing it runs its @register_corruption (helpers
# such as `cells` or `sampling` register nothing).
import_modules(__name__, __path__, skip=("api", "base", "request"))
