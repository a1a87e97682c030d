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

# Importing a kind module registers it; add new kinds here.
from harness.corrupt import (  # noqa: F401  isort: skip
    bit_flip,
    categorical_shift,
    duplicate_records,
    encoding_garbage,
    gaussian_noise,
    label_flip,
    missing_values,
    reorder_records,
    scaling,
    schema_drift,
    swapped_columns,
    truncate,
)

__all__ = [
    "CORRUPTIONS",
    "SEVERITIES",
    "CorruptionError",
    "Mechanism",
    "SeverityInfo",
    "Target",
    "corrupt_bytes",
    "corrupt_frame",
    "describe",
    "register_corruption",
    "severity_markdown",
]
