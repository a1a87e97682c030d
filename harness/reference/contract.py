"""The names of `targets.contract` the harness uses, re-exported for the rest of the harness."""

from __future__ import annotations

from targets.contract import (
    FEATURE_NAMES,
    LABEL,
    LATEST_KEY,
    RAW_PREFIX,
    RECORDS_BUCKET,
    REGISTRY_BUCKET,
    build_model,
    publish_model,
    store_client,
)

__all__ = [
    "FEATURE_NAMES",
    "LABEL",
    "LATEST_KEY",
    "RAW_PREFIX",
    "RECORDS_BUCKET",
    "REGISTRY_BUCKET",
    "build_model",
    "publish_model",
    "store_client",
]
