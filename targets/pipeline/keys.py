"""Object keys of the pipeline (docs/pipeline.md "Keys"): buckets, batch and quarantine names."""

from __future__ import annotations

from targets.common.s3 import QUARANTINE_BUCKET as QUARANTINE
from targets.common.s3 import RECORDS_BUCKET as RECORDS
from targets.common.s3 import REGISTRY_BUCKET as REGISTRY
from targets.inference.registry import LATEST_KEY

__all__ = [
    "LATEST_KEY",
    "QUARANTINE",
    "RAW_PREFIX",
    "RECORDS",
    "REGISTRY",
    "batch_key",
    "quarantine_key",
    "raw_prefix",
]


RAW_PREFIX = "raw/"  # in bucket `records`; a replicated object keeps its key


def raw_prefix(region: str) -> str:
    """The prefix of one region's accepted batches in bucket `records`."""
    return f"{RAW_PREFIX}{region}/"


def batch_key(region: str, instance: str, seq: int, ms: int) -> str:
    """Key of one accepted batch: `raw/<region>/<ms, 13 digits>-<instance>-<seq, 6 digits>.jsonl`.

    The name starts with the time so that names sort by age whatever the region prefix."""
    return f"{raw_prefix(region)}{ms:013d}-{instance}-{seq % 1_000_000:06d}.jsonl"


def quarantine_key(region: str, seq: int, ms: int) -> str:
    """Key of one request's rejected lines in bucket `quarantine`: `<region>/<ms>-<seq>.jsonl`."""
    return f"{region}/{ms:013d}-{seq % 1_000_000:06d}.jsonl"
