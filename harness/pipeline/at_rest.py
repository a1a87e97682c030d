"""Corrupt objects at rest in the stack's stores: record objects, or the published model."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from harness.corrupt import corrupt_bytes
from harness.corrupt.base import ROW_FRACTION
from harness.errors import HarnessError
from harness.observe.store_scan import BUCKET as RECORDS
from harness.observe.store_scan import RAW_PREFIX as RAW
from harness.scenario.topology import OBJECT_STORE
from targets.common.s3 import client
from targets.inference.registry import BUCKET as REGISTRY
from targets.inference.registry import LATEST_KEY as LATEST

if TYPE_CHECKING:
    from harness.faults.corrupt_data import CorruptDataSpec
    from harness.stack import RunningStack

Undo = Callable[[], None]


def corrupt_stores(stack: RunningStack, spec: CorruptDataSpec, seed: int) -> tuple[str, list[Undo]]:
    """Corrupt the selected stores; return what was done and how to undo what can be undone."""
    rng = random.Random(seed)
    stores = [
        i
        for i in stack.plan.topology.of_service(OBJECT_STORE)
        if spec.region is None or i.region == spec.region
    ]
    done: list[str] = []
    undo: list[Undo] = []
    for store in stores:
        s3 = client(stack.handles[store.name].url, store.region or "us-east-1")
        if spec.objects == "model":
            done.append(_rot_model(s3, spec, rng, undo))
        else:
            done.append(_corrupt_records(s3, spec, rng))
        done[-1] = f"{store.region}: {done[-1]}"
    return "; ".join(done), undo


def _corrupt_records(s3: Any, spec: CorruptDataSpec, rng: random.Random) -> str:
    keys = sorted(
        obj["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=RECORDS, Prefix=RAW)
        for obj in page.get("Contents", [])
    )
    share = spec.fraction if spec.fraction is not None else ROW_FRACTION[spec.severity]
    chosen = rng.sample(keys, int(len(keys) * share)) if keys else []
    for key in chosen:
        data = s3.get_object(Bucket=RECORDS, Key=key)["Body"].read()
        bad = corrupt_bytes(data, spec.corruption, severity=spec.severity, seed=rng.getrandbits(32))
        s3.put_object(Bucket=RECORDS, Key=key, Body=bad)
    return f"{spec.corruption} s{spec.severity} on {len(chosen)} of {len(keys)} record objects"


def _rot_model(s3: Any, spec: CorruptDataSpec, rng: random.Random, undo: list[Undo]) -> str:
    """Publish a corrupted copy of the serving model under a new version, old checksum kept."""
    try:
        raw_latest = s3.get_object(Bucket=REGISTRY, Key=LATEST)["Body"].read()
        latest = json.loads(raw_latest)
        data = s3.get_object(Bucket=REGISTRY, Key=latest["key"])["Body"].read()
    except Exception as exc:
        raise HarnessError(f"cannot read the published model to corrupt it: {exc}") from None
    bad = corrupt_bytes(data, spec.corruption, severity=spec.severity, seed=rng.getrandbits(32))
    version = f"{latest['model_version']}-rot"
    key = f"models/{version}.onnx"
    s3.put_object(Bucket=REGISTRY, Key=key, Body=bad)
    rotten = {**latest, "model_version": version, "key": key}  # sha256 still the clean one
    s3.put_object(Bucket=REGISTRY, Key=LATEST, Body=json.dumps(rotten).encode())
    undo.append(lambda: s3.put_object(Bucket=REGISTRY, Key=LATEST, Body=raw_latest))
    return f"model {latest['model_version']} republished as {version}, {spec.corruption} s{spec.severity}"
