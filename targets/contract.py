"""What the harness needs of the reference stack, in one place (docs/pipeline.md, "Contract").

The harness imports `targets` only through this module, so these names are all a stack of the
user's own images must match. Each is defined where its service needs it (the images copy only
their part of targets/); this module names them for the harness. The services never import it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from targets.common.flags import RegionUrl
from targets.common.flags import argv as service_argv
from targets.common.s3 import (
    BUCKETS,
    QUARANTINE_BUCKET,
    RECORDS_BUCKET,
    REGISTRY_BUCKET,
)
from targets.common.s3 import client as store_client
from targets.gateway.flags import GatewayFlags
from targets.inference.flags import InferenceFlags
from targets.inference.registry import LATEST_KEY
from targets.inference.registry import publish as publish_model
from targets.metadata.flags import MetadataFlags
from targets.objectstore.flags import ObjectStoreFlags
from targets.pipeline.flags import IngestFlags, ReplicatorFlags, RetrainFlags
from targets.pipeline.keys import RAW_PREFIX
from targets.pipeline.records import FEATURE_NAMES, LABEL

if TYPE_CHECKING:
    from targets.model.build import ModelArtifacts

__all__ = [
    "BUCKETS",
    "FEATURE_NAMES",
    "LABEL",
    "LATEST_KEY",
    "QUARANTINE_BUCKET",
    "RAW_PREFIX",
    "RECORDS_BUCKET",
    "REGISTRY_BUCKET",
    "GatewayFlags",
    "InferenceFlags",
    "IngestFlags",
    "MetadataFlags",
    "ObjectStoreFlags",
    "RegionUrl",
    "ReplicatorFlags",
    "RetrainFlags",
    "build_model",
    "publish_model",
    "service_argv",
    "store_client",
]


def build_model(out_dir: Path, seed: int = 7) -> ModelArtifacts:
    """Build (or reuse from `out_dir`) the reference model, its holdout, profile and stream."""
    from targets.model.build import build_model as build  # scikit-learn: only when running

    return build(out_dir, seed)
