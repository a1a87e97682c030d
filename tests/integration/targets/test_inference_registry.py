"""Inference hot swap against a real moto registry: pick-up, rejection, outages, swaps under load."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest
import requests

from targets.inference.registry import LATEST_KEY, model_key
from targets.model import ModelArtifacts
from targets.model.build import to_onnx, train
from tests.integration.pipeline_retrain.stores import MotoStore, metric, wait_for

POLL_S = 0.2
INSTANCE = "inference-reg-0"


@pytest.fixture(scope="module")
def module_store() -> Iterator[MotoStore]:
    """One moto server for the module (reset before each test)."""
    store = MotoStore("us-east-1")
    try:
        yield store
    finally:
        store.stop()


@pytest.fixture
def store(module_store: MotoStore) -> MotoStore:
    """An empty registry."""
    module_store.reset()
    return module_store


@pytest.fixture(scope="module")
def other_model(model: ModelArtifacts) -> bytes:
    """A second model of the same width (trained on part of the stream)."""
    stream = np.load(model.stream_path)
    return to_onnx(train(stream["X"][:2000], stream["y"][:2000]), stream["X"].shape[1])


def _start(procs: Any, model: ModelArtifacts, store_url: str, *extra: str) -> Any:
    proc = procs.inference(
        model.model_path,
        INSTANCE,
        "us-east-1",
        "--registry",
        store_url,
        "--registry-poll-s",
        str(POLL_S),
        *extra,
    )
    proc.ready()
    return proc


def _rows(model: ModelArtifacts, n: int = 8) -> list[list[float]]:
    rows: list[list[float]] = np.load(model.holdout_path)["X"][:n].tolist()
    return rows


def _version(proc: Any, rows: list[list[float]]) -> str:
    r = requests.post(f"{proc.url}/predict", json={"rows": rows}, timeout=5)
    assert r.status_code == 200, r.text
    return str(r.json()["model_version"])


def _info(proc: Any, version: str) -> float | None:
    labels = f'model_version="{version}",instance="{INSTANCE}",region="us-east-1"'
    return metric(proc.url, f"inference_model_info{{{labels}}}")


def test_published_model_is_picked_up_and_served(
    procs: Any, model: ModelArtifacts, store: MotoStore, other_model: bytes
) -> None:
    proc = _start(procs, model, store.url)
    rows = _rows(model)
    assert _version(proc, rows) == model.model_version
    store.publish(other_model, "retrain-test-1", holdout_accuracy=0.9)
    wait_for(lambda: _version(proc, rows) == "retrain-test-1", timeout=10 * POLL_S + 3)
    assert _info(proc, "retrain-test-1") == 1
    assert _info(proc, model.model_version) is None  # exactly one version shows 1
    assert metric(proc.url, "inference_model_swaps_total") == 1
    swapped = proc.wait_event("model_swapped")
    assert swapped["old_version"] == model.model_version
    assert requests.get(f"{proc.url}/readyz", timeout=5).json()["model_version"] == "retrain-test-1"


def _flip_bits(data: bytes) -> bytes:
    corrupt = bytearray(data)
    for i in range(len(corrupt) // 3, len(corrupt), max(1, len(corrupt) // 7)):
        corrupt[i] ^= 0x5A
    return bytes(corrupt)


CORRUPTIONS = {
    "bit_flips": (_flip_bits, "checksum"),
    "truncated": (lambda data: data[: len(data) // 2], "checksum"),
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_corrupted_artifact_is_rejected_and_old_model_keeps_serving(
    procs: Any, model: ModelArtifacts, store: MotoStore, other_model: bytes, corruption: str
) -> None:
    corrupt, reason = CORRUPTIONS[corruption]
    proc = _start(procs, model, store.url, "--alert-hold-s", "1.5")
    rows = _rows(model)
    key = model_key("retrain-bad")
    store.put_registry(key, corrupt(other_model))
    sha = hashlib.sha256(other_model).hexdigest()  # latest.json carries the good model's hash
    doc = {"model_version": "retrain-bad", "key": key, "sha256": sha}
    store.put_registry(LATEST_KEY, json.dumps(doc).encode())
    series = f'inference_model_rejected_total{{reason="{reason}"}}'
    wait_for(lambda: metric(proc.url, series) == 1, timeout=5)
    alert = f'quality_alert{{check="model_rejected",instance="{INSTANCE}"}}'
    assert metric(proc.url, alert) == 1
    assert _version(proc, rows) == model.model_version
    assert _info(proc, model.model_version) == 1
    # Not retried every poll: still one count and one log line several polls later.
    wait_for(lambda: metric(proc.url, alert) == 0, timeout=5)
    assert metric(proc.url, series) == 1
    assert len([e for e in proc.events if e.get("event") == "model_rejected"]) == 1
    assert metric(proc.url, "inference_model_swaps_total") == 0
    # A new latest.json is considered again: the good artifact is then served.
    store.publish(other_model, "retrain-good")
    wait_for(lambda: _version(proc, rows) == "retrain-good", timeout=5)


def test_unloadable_and_wrong_width_models_are_rejected(
    procs: Any, model: ModelArtifacts, store: MotoStore
) -> None:
    proc = _start(procs, model, store.url)
    stream = np.load(model.stream_path)
    store.publish(b"not an onnx graph" * 10, "retrain-garbage")
    wait_for(lambda: metric(proc.url, 'inference_model_rejected_total{reason="load"}') == 1)
    narrow = to_onnx(train(stream["X"][:1000, :10], stream["y"][:1000]), 10)
    store.publish(narrow, "retrain-narrow")
    wait_for(lambda: metric(proc.url, 'inference_model_rejected_total{reason="shape"}') == 1)
    assert _version(proc, _rows(model)) == model.model_version
    rejected = [e for e in proc.events if e.get("event") == "model_rejected"]
    assert [(e["model_version"], e["reason"]) for e in rejected] == [
        ("retrain-garbage", "load"),
        ("retrain-narrow", "shape"),
    ]


def test_missing_artifact_is_retried_until_it_arrives(
    procs: Any, model: ModelArtifacts, store: MotoStore, other_model: bytes
) -> None:
    proc = _start(procs, model, store.url)
    key = model_key("retrain-late")
    doc = {
        "model_version": "retrain-late",
        "key": key,
        "sha256": hashlib.sha256(other_model).hexdigest(),
    }
    store.put_registry(LATEST_KEY, json.dumps(doc).encode())  # the pointer replicated first
    wait_for(lambda: metric(proc.url, 'inference_model_rejected_total{reason="download"}') == 1)
    store.put_registry(key, other_model)
    wait_for(lambda: _version(proc, _rows(model)) == "retrain-late", timeout=5)


def test_registry_going_away_never_breaks_predict(procs: Any, model: ModelArtifacts) -> None:
    own = MotoStore("us-east-1")
    try:
        proc = _start(procs, model, own.url)
        rows = _rows(model)
        wait_for(lambda: metric(proc.url, "inference_registry_errors_total") == 0)
        own.stop()
        wait_for(lambda: (metric(proc.url, "inference_registry_errors_total") or 0) >= 2)
        for _ in range(20):
            assert _version(proc, rows) == model.model_version
        assert len([e for e in proc.events if e.get("event") == "registry_unreachable"]) == 1
    finally:
        own.stop()


def test_no_request_fails_during_a_swap(
    procs: Any, model: ModelArtifacts, store: MotoStore, other_model: bytes
) -> None:
    proc = _start(procs, model, store.url)
    rows = _rows(model, 4)

    def one(i: int) -> tuple[int, str]:
        if i == 60:
            store.publish(other_model, "retrain-under-load")
        with requests.post(f"{proc.url}/predict", json={"rows": rows}, timeout=10) as r:
            return r.status_code, str(r.json().get("model_version"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, range(300)))
    assert {code for code, _ in results} == {200}
    versions = [v for _, v in results]
    assert set(versions) <= {model.model_version, "retrain-under-load"}
    wait_for(lambda: _version(proc, rows) == "retrain-under-load", timeout=5)
