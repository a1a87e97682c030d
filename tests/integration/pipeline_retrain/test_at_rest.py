"""corrupt_data on storage against real stores: record objects damaged, the model rotted and restored."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from harness.faults.corrupt_data import CorruptDataSpec
from harness.pipeline.at_rest import corrupt_stores
from harness.reference.registry import publish_reference_model
from targets.model import ModelArtifacts
from tests.integration.pipeline_retrain.stores import MotoStore

ROOT = Path(__file__).resolve().parents[3]


def stores_of(stores: dict[str, MotoStore], region: str | None = None) -> list[tuple[str, str]]:
    """(region, URL) of the selected stores, as the fault hands them to corrupt_stores."""
    return [(r, s.url) for r, s in stores.items() if region in (None, r)]


def spec(**fields: Any) -> CorruptDataSpec:
    return CorruptDataSpec(kind="corrupt_data", target="storage", at=30, duration=5, **fields)


def test_record_objects_are_damaged_in_the_chosen_region_only(
    stores: dict[str, MotoStore],
) -> None:
    for store in stores.values():
        for i in range(10):
            store.put_batch(b'{"id": "rec-%d", "label": 0}\n' % i)
    fault = spec(corruption="truncate", severity=4, fraction=0.5, region="us-east-1")
    done, undo = corrupt_stores(stores_of(stores, "us-east-1"), fault.request(), "records", 7)
    assert "5 of 10 record objects" in done and undo == []

    def damaged(store: MotoStore) -> int:
        keys = [o["Key"] for o in store.s3.list_objects_v2(Bucket="records")["Contents"]]
        bodies = [store.s3.get_object(Bucket="records", Key=k)["Body"].read() for k in keys]
        return sum(not b.endswith(b"}\n") for b in bodies)

    assert damaged(stores["us-east-1"]) == 5 and damaged(stores["eu-west-1"]) == 0


def test_the_model_is_republished_rotten_and_restored_on_revert(
    stores: dict[str, MotoStore], model: ModelArtifacts
) -> None:
    publish_reference_model([s.url for s in stores.values()], model.out_dir)
    clean = {"model_version": model.model_version}
    data = model.model_path.read_bytes()
    fault = spec(corruption="bit_flip", objects="model")
    done, undo = corrupt_stores(stores_of(stores), fault.request(), "model", 3)
    for store in stores.values():
        rotten = store.latest()
        assert rotten is not None and rotten["model_version"] == f"{clean['model_version']}-rot"
        body = store.s3.get_object(Bucket="registry", Key=rotten["key"])["Body"].read()
        assert body != data and len(body) == len(data)  # bits flipped, nothing cut
        # The pointer still carries the clean checksum: an instance must refuse the bytes.
        assert (
            rotten["sha256"] == hashlib.sha256(data).hexdigest() != hashlib.sha256(body).hexdigest()
        )
    assert "republished" in done
    for step in reversed(undo):
        step()
    for store in stores.values():
        assert json.loads(json.dumps(store.latest()))["model_version"] == clean["model_version"]
