"""Object keys of the pipeline (docs/pipeline.md "Keys"): buckets, batch and quarantine names."""

from __future__ import annotations

__all__ = [
    "LATEST_KEY",
    "QUARANTINE",
    "RECORDS",
    "REGISTRY",
    "batch_key",
    "quarantine_key",
    "raw_prefix",
]

RECORDS = "records"
REGISTRY = "registry"
QUARANTINE = "quarantine"
LATEST_KEY = "latest.json"  # in bucket `registry`


def raw_prefix(region: str) -> str:
    """The prefix of one region's accepted batches in bucket `records`."""
    return f"raw/{region}/"


def batch_key(region: str, instance: str, seq: int, ms: int) -> str:
    """Key of one accepted batch: `raw/<region>/<ms, 13 digits>-<instance>-<seq, 6 digits>.jsonl`.

    The name starts with the time so that names sort by age whatever the region prefix."""
    return f"{raw_prefix(region)}{ms:013d}-{instance}-{seq % 1_000_000:06d}.jsonl"


def quarantine_key(region: str, seq: int, ms: int) -> str:
    """Key of one request's rejected lines in bucket `quarantine`: `<region>/<ms>-<seq>.jsonl`."""
    return f"{region}/{ms:013d}-{seq % 1_000_000:06d}.jsonl"
