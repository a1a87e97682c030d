"""The async replicator against real stores: the lag, no second copy, partitions and catch-up."""

from __future__ import annotations

import json
import time
from typing import Any

import requests

from targets.inference.registry import publish
from tests.integration.pipeline.support import EAST, WEST, Store, start_replicator, start_store
from tests.integration.pipeline_retrain.stores import metric, wait_for
from tests.integration.targets.conftest import Targets, free_port

RAW = f"raw/{EAST}/"


def status(proc: Any) -> dict[str, Any]:
    """The replicator's /status."""
    body: dict[str, Any] = requests.get(f"{proc.url}/status", timeout=5).json()
    return body


def put_batch(store: Store, n: int) -> str:
    """Write one batch object into the store's own region prefix; return its key."""
    key = f"{RAW}{int(time.time() * 1000):013d}-ingest-test-{n:06d}.jsonl"
    store.s3.put_object(Bucket="records", Key=key, Body=b'{"id": "rec-%d"}\n' % n)
    return key


def test_objects_are_copied_only_after_the_lag(procs: Targets, stores: dict[str, Store]) -> None:
    east, west = stores[EAST], stores[WEST]
    proc = start_replicator(procs, east.url, {WEST: west.url}, "--lag-s", "1.5")
    key = put_batch(east, 1)
    seen = time.monotonic()
    wait_for(lambda: status(proc)["pending"][WEST] == 1, timeout=5)
    while time.monotonic() - seen < 1.0:
        assert west.keys("records") == []
        time.sleep(0.1)
    assert (metric(proc.url, "replicator_lag_seconds") or 0) > 0.5
    wait_for(lambda: west.keys("records") == [key], timeout=5)
    assert west.body("records", key) == east.body("records", key)
    wait_for(lambda: metric(proc.url, "replicator_pending_objects") == 0)
    assert metric(proc.url, f'replicator_copied_total{{dst="{WEST}"}}') == 1
    assert metric(proc.url, "replicator_lag_seconds") == 0


def test_present_objects_are_not_copied_again_and_the_pointer_follows_its_model(
    procs: Targets, stores: dict[str, Store]
) -> None:
    east, west = stores[EAST], stores[WEST]
    key = put_batch(east, 2)
    west.s3.put_object(Bucket="records", Key=key, Body=east.body("records", key))
    latest = publish(east.s3, b"model bytes", "v1", holdout_accuracy=0.9)
    proc = start_replicator(procs, east.url, {WEST: west.url})
    wait_for(lambda: west.keys("registry") == ["latest.json", "models/v1.onnx"])
    assert json.loads(west.body("registry", "latest.json")) == latest
    wait_for(lambda: metric(proc.url, "replicator_pending_objects") == 0)
    assert metric(proc.url, f'replicator_copied_total{{dst="{WEST}"}}') == 2  # not the batch
    newer = publish(east.s3, b"model two", "v2", holdout_accuracy=0.91)
    wait_for(lambda: json.loads(west.body("registry", "latest.json")) == newer)
    assert "models/v2.onnx" in west.keys("registry")


def test_a_down_destination_keeps_objects_pending_until_it_returns(
    procs: Targets, stores: dict[str, Store]
) -> None:
    east = stores[EAST]
    port = free_port()  # nothing listens here yet: the destination region is down
    proc = start_replicator(procs, east.url, {WEST: f"http://127.0.0.1:{port}"})
    keys = [put_batch(east, n) for n in (3, 4)]
    wait_for(lambda: status(proc)["pending"] == {WEST: 2})
    wait_for(lambda: (metric(proc.url, f'replicator_errors_total{{dst="{WEST}"}}') or 0) >= 2)
    lag = metric(proc.url, "replicator_lag_seconds") or 0
    wait_for(lambda: (metric(proc.url, "replicator_lag_seconds") or 0) > lag)
    west = start_store(procs, WEST, port=port)
    wait_for(lambda: west.keys("records") == sorted(keys), timeout=10)
    wait_for(lambda: status(proc)["pending"] == {WEST: 0})
    assert proc.proc.poll() is None


def test_an_unreachable_own_store_is_survived_and_caught_up(
    procs: Targets, stores: dict[str, Store]
) -> None:
    port = free_port()
    west = stores[WEST]
    proc = start_replicator(procs, f"http://127.0.0.1:{port}", {WEST: west.url})
    wait_for(lambda: (metric(proc.url, "replicator_source_errors_total") or 0) >= 2)
    assert requests.get(f"{proc.url}/healthz", timeout=5).status_code == 200
    assert requests.get(f"{proc.url}/readyz", timeout=5).status_code == 503
    east = start_store(procs, EAST, port=port)
    key = put_batch(east, 5)
    wait_for(lambda: west.keys("records") == [key], timeout=10)
    assert requests.get(f"{proc.url}/readyz", timeout=5).status_code == 200
