"""The model registry in an object store: key layout, reading latest.json, publishing a model."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from targets.common.s3 import REGISTRY_BUCKET as BUCKET

__all__ = [
    "BUCKET",
    "LATEST_KEY",
    "Latest",
    "LatestError",
    "get_bytes",
    "model_key",
    "parse_latest",
    "publish",
    "read_latest",
    "version_name",
]

LATEST_KEY = "latest.json"  # in the registry bucket: the model inference serves


class LatestError(ValueError):
    """latest.json exists but does not describe a model (bad JSON or a missing field)."""


@dataclass(frozen=True)
class Latest:
    """What latest.json says should be served."""

    model_version: str
    key: str
    sha256: str
    raw: dict[str, Any]


def model_key(version: str) -> str:
    """Return the key of a published model artifact in the registry bucket."""
    return f"models/{version}.onnx"


def version_name(model_bytes: bytes, prefix: str = "retrain") -> str:
    """Name a new model `<prefix>-<ms>-<sha12>`: sortable by time, tied to its bytes."""
    sha = hashlib.sha256(model_bytes).hexdigest()
    return f"{prefix}-{int(time.time() * 1000)}-{sha[:12]}"


def parse_latest(body: bytes) -> Latest:
    """Parse latest.json, or raise LatestError saying what is wrong."""
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise LatestError(f"latest.json is not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise LatestError("latest.json is not an object")
    fields = [doc.get(name) for name in ("model_version", "key", "sha256")]
    if not all(isinstance(value, str) and value for value in fields):
        raise LatestError("latest.json lacks model_version, key or sha256")
    return Latest(str(fields[0]), str(fields[1]), str(fields[2]).lower(), doc)


def get_bytes(s3: Any, key: str, bucket: str = BUCKET) -> bytes | None:
    """Return an object's bytes, or None when the key does not exist (other errors raise)."""
    try:
        reply = s3.get_object(Bucket=bucket, Key=key)
    except s3.exceptions.NoSuchKey:
        return None
    data: bytes = reply["Body"].read()
    return data


def read_latest(s3: Any) -> Latest | None:
    """Return the registry's latest.json parsed, None when there is none (errors raise)."""
    body = get_bytes(s3, LATEST_KEY)
    return None if body is None else parse_latest(body)


def publish(s3: Any, model_bytes: bytes, version: str, **info: Any) -> dict[str, Any]:
    """Store the artifact, then latest.json pointing at it; return the latest.json written.

    The artifact goes first so that a reader that sees the new pointer finds its model.
    `info` adds fields such as holdout_accuracy and trained_rows (and may set published_at, so
    that one promotion carries one time in every region)."""
    key = model_key(version)
    s3.put_object(Bucket=BUCKET, Key=key, Body=model_bytes)
    latest = {
        "model_version": version,
        "key": key,
        "sha256": hashlib.sha256(model_bytes).hexdigest(),
        "published_at": round(time.time(), 3),
        **info,
    }
    body = json.dumps(latest).encode()
    s3.put_object(Bucket=BUCKET, Key=LATEST_KEY, Body=body, ContentType="application/json")
    return latest
