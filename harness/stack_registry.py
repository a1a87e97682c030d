"""Seed every region's model registry with the reference model, as a deploy would."""

from __future__ import annotations

import hashlib
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from harness.errors import StackStartError
from targets.common.s3 import client

REGISTRY_BUCKET = "registry"
LATEST_KEY = "latest.json"


def latest_record(model_dir: Path) -> tuple[dict[str, object], bytes]:
    """latest.json for the reference model in `model_dir`, and the model's bytes."""
    manifest = json.loads((model_dir / "manifest.json").read_text())
    data = (model_dir / "model.onnx").read_bytes()
    version = str(manifest["model_version"])
    latest = {
        "model_version": version,
        "key": f"models/{version}.onnx",
        "sha256": hashlib.sha256(data).hexdigest(),
        "holdout_accuracy": manifest["holdout_accuracy"],
        "trained_rows": manifest["train_rows"],
        "published_at": round(time.time(), 3),
    }
    return latest, data


def publish_reference_model(store_urls: list[str], model_dir: Path) -> None:
    """Put the model, then latest.json pointing at it, into every store's registry bucket."""
    latest, data = latest_record(model_dir)

    def publish(url: str) -> None:
        s3 = client(url, "us-east-1")
        try:
            s3.put_object(Bucket=REGISTRY_BUCKET, Key=str(latest["key"]), Body=data)
            body = json.dumps(latest).encode()
            s3.put_object(Bucket=REGISTRY_BUCKET, Key=LATEST_KEY, Body=body)
        except (BotoCoreError, ClientError) as exc:
            raise StackStartError(
                f"cannot publish the reference model to the object store at {url}: {exc}"
            ) from None

    with ThreadPoolExecutor(max_workers=max(1, len(store_urls))) as pool:
        list(pool.map(publish, store_urls))
