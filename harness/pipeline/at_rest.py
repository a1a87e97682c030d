"""Corrupt objects at rest in the stack's stores: record objects, or the published model."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from typing import Any, Literal

from harness.corrupt import CorruptionRequest, corrupt_bytes
from harness.errors import HarnessError
from harness.reference.contract import LATEST_KEY as LATEST
from harness.reference.contract import RAW_PREFIX as RAW
from harness.reference.contract import RECORDS_BUCKET as RECORDS
from harness.reference.contract import REGISTRY_BUCKET as REGISTRY
from harness.reference.contract import store_client as client

Undo = Callable[[], None]
Store = tuple[str, str]  # (region, URL of its object store)


def corrupt_stores(
    stores: Sequence[Store],
    request: CorruptionRequest,
    objects: Literal["records", "model"],
    seed: int,
) -> tuple[str, list[Undo]]:
    """Corrupt these stores' record objects or model; say what was done, and how to undo what can be."""
    rng = random.Random(seed)
    done: list[str] = []
    undo: list[Undo] = []
    for region, url in stores:
        s3 = client(url, region)
        if objects == "model":
            done.append(f"{region}: {_rot_model(s3, request, rng, undo)}")
        else:
            done.append(f"{region}: {_corrupt_records(s3, request, rng)}")
    return "; ".join(done), undo


def _corrupt_records(s3: Any, request: CorruptionRequest, rng: random.Random) -> str:
    keys = sorted(
        obj["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=RECORDS, Prefix=RAW)
        for obj in page.get("Contents", [])
    )
    chosen = rng.sample(keys, int(len(keys) * request.share)) if keys else []
    for key in chosen:
        data = s3.get_object(Bucket=RECORDS, Key=key)["Body"].read()
        bad = corrupt_bytes(data, request.kind, severity=request.severity, seed=rng.getrandbits(32))
        s3.put_object(Bucket=RECORDS, Key=key, Body=bad)
    return f"{request.kind} s{request.severity} on {len(chosen)} of {len(keys)} record objects"


def _rot_model(s3: Any, request: CorruptionRequest, rng: random.Random, undo: list[Undo]) -> str:
    """Publish a corrupted copy of the serving model under a new version, old checksum kept."""
    try:
        raw_latest = s3.get_object(Bucket=REGISTRY, Key=LATEST)["Body"].read()
        latest = json.loads(raw_latest)
        data = s3.get_object(Bucket=REGISTRY, Key=latest["key"])["Body"].read()
    except Exception as exc:
        raise HarnessError(f"cannot read the published model to corrupt it: {exc}") from None
    bad = corrupt_bytes(data, request.kind, severity=request.severity, seed=rng.getrandbits(32))
    version = f"{latest['model_version']}-rot"
    key = f"models/{version}.onnx"
    s3.put_object(Bucket=REGISTRY, Key=key, Body=bad)
    rotten = {**latest, "model_version": version, "key": key}  # sha256 still the clean one
    s3.put_object(Bucket=REGISTRY, Key=LATEST, Body=json.dumps(rotten).encode())
    undo.append(lambda: s3.put_object(Bucket=REGISTRY, Key=LATEST, Body=raw_latest))
    return f"model {latest['model_version']} republished as {version}, {request.kind} s{request.severity}"
