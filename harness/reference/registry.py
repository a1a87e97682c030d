"""Seed every region's model registry with the reference model, as a deploy would."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from harness.errors import StackStartError
from harness.reference.contract import publish_model as publish
from harness.reference.contract import store_client as client


def publish_reference_model(store_urls: list[str], model_dir: Path) -> None:
    """Put the model, then latest.json pointing at it, into every store's registry bucket."""
    manifest = json.loads((model_dir / "manifest.json").read_text())
    data = (model_dir / "model.onnx").read_bytes()
    info = {
        "holdout_accuracy": manifest["holdout_accuracy"],
        "trained_rows": manifest["train_rows"],
    }

    def seed(url: str) -> None:
        try:
            publish(client(url, "us-east-1"), data, str(manifest["model_version"]), **info)
        except (BotoCoreError, ClientError) as exc:
            raise StackStartError(
                f"cannot publish the reference model to the object store at {url}: {exc}"
            ) from None

    with ThreadPoolExecutor(max_workers=max(1, len(store_urls))) as pool:
        list(pool.map(seed, store_urls))
