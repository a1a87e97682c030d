"""Retrain against real moto stores: promote, refuse poisoned data, drift trigger, bad lines."""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
import requests

from targets.model import ModelArtifacts
from tests.integration.pipeline_retrain.stores import (
    MotoStore,
    jsonl,
    metric,
    records,
    start_retrain,
    wait_for,
)
from tests.integration.targets.conftest import Targets, free_port

EAST, WEST = "us-east-1", "eu-west-1"
INSTANCE = "retrain-us-east-1"


def _stream(model: ModelArtifacts, n: int, start: int = 0) -> tuple[np.ndarray, np.ndarray]:
    data = np.load(model.stream_path)
    return data["X"][start : start + n], data["y"][start : start + n]


def _runs(proc: Any) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = requests.get(f"{proc.url}/status", timeout=5).json()["runs"]
    return runs


def _first_run(proc: Any, timeout: float = 20.0) -> dict[str, Any]:
    run: dict[str, Any] = wait_for(lambda: next(iter(_runs(proc)), None), timeout=timeout)
    return run


def _publish_all(stores: dict[str, MotoStore]) -> dict[str, str]:
    return {region: store.url for region, store in stores.items()}


def test_scheduled_retrain_promotes_a_model_inference_then_serves(
    procs: Targets, model: ModelArtifacts, stores: dict[str, MotoStore]
) -> None:
    east = stores[EAST]
    now = int(time.time() * 1000)
    X, y = _stream(model, 1500)
    east.put_rows(X[:500], y[:500], ms=now - 60_000)  # older: outside the 1000-record window
    east.put_rows(X[500:1000], y[500:1000], ms=now)
    # Replicated from the other region: same bucket, its own prefix, newest by key name.
    east.put_batch(jsonl(records(X[1000:], y[1000:], 1000)), region=WEST, ms=now + 5)
    proc = start_retrain(
        procs, model, east.url, _publish_all(stores), "--every-s", "0.3", "--no-on-drift"
    )
    run = _first_run(proc)
    assert (run["trigger"], run["outcome"], run["trained_rows"]) == ("schedule", "promoted", 1000)
    assert run["candidate_accuracy"] >= model.accuracy - 0.02
    assert metric(proc.url, "retrain_records_read") == 1000
    latest = {region: store.latest() for region, store in stores.items()}
    assert latest[EAST] == latest[WEST]
    assert latest[EAST] is not None and latest[EAST]["model_version"] == run["candidate_version"]
    assert latest[EAST]["holdout_accuracy"] == run["candidate_accuracy"]
    serving = requests.get(f"{proc.url}/status", timeout=5).json()["serving"]
    assert serving["model_version"] == run["candidate_version"]
    inference = procs.inference(
        model.model_path, "inference-eu-0", WEST, "--registry", stores[WEST].url,
        "--registry-poll-s", "0.2",
    )  # fmt: skip
    inference.ready()

    def served() -> bool:
        body = {"rows": X[:2].tolist()}
        reply = requests.post(f"{inference.url}/predict", json=body, timeout=5).json()
        return bool(reply["model_version"] == run["candidate_version"])

    wait_for(served, timeout=10)
    later = _runs(proc)[1:]
    assert later and {r["outcome"] for r in later} == {"skipped"}  # nothing new to train on


def test_poisoned_records_are_refused_promotion(
    procs: Targets, model: ModelArtifacts, stores: dict[str, MotoStore]
) -> None:
    east = stores[EAST]
    initial = east.publish(model.model_path.read_bytes(), model.model_version,
                           holdout_accuracy=model.accuracy)  # fmt: skip
    X, y = _stream(model, 1000)
    east.put_rows(X, 1 - y)  # every label inverted
    proc = start_retrain(procs, model, east.url, _publish_all(stores), "--every-s", "0.3")
    run = _first_run(proc)
    assert run["outcome"] == "rejected"
    assert run["serving_accuracy"] == model.accuracy  # read from the store's latest.json
    assert run["candidate_accuracy"] < model.accuracy - 0.02
    assert "max-drop" in run["reason"]
    assert east.latest() == initial
    assert stores[WEST].latest() is None
    alert = f'quality_alert{{check="candidate_rejected",instance="{INSTANCE}"}}'
    assert metric(proc.url, alert) == 1
    assert metric(proc.url, 'retrain_runs_total{trigger="schedule",outcome="rejected"}') >= 1  # type: ignore[operator]


def test_drift_triggers_one_run_per_drifted_window(
    procs: Targets, model: ModelArtifacts, stores: dict[str, MotoStore]
) -> None:
    east = stores[EAST]
    X, y = _stream(model, 1000)
    east.put_rows(X * 100, y)  # a unit change upstream
    proc = start_retrain(procs, model, east.url, {EAST: east.url},
                         "--serving-accuracy", str(model.accuracy))  # fmt: skip
    run = _first_run(proc)
    assert run["trigger"] == "drift"
    assert run["outcome"] == "rejected"  # trained on ×100 rows, it fails the golden set
    alert = f'quality_alert{{check="feature_drift",instance="{INSTANCE}"}}'
    assert metric(proc.url, alert) == 1
    assert metric(proc.url, "retrain_window_psi_max") >= 0.25  # type: ignore[operator]
    time.sleep(1.0)  # five more checks over the same window
    assert len(_runs(proc)) == 1


def test_garbage_lines_are_skipped_and_counted(
    procs: Targets, model: ModelArtifacts, stores: dict[str, MotoStore]
) -> None:
    east = stores[EAST]
    X, y = _stream(model, 600)
    good = records(X, y)
    bad_label = dict(good[0], label=2)
    missing = {k: v for k, v in good[1].items() if k != "amount"}
    as_text = dict(good[2], amount="12.5")
    garbage = [b"not json", b"[1, 2]", b"\xff\xfe", json.dumps(bad_label).encode(),
               json.dumps(missing).encode(), json.dumps(as_text).encode(), b'{"amount": NaN}']  # fmt: skip
    east.put_batch(jsonl(good[:300]) + b"\n".join(garbage) + b"\n" + jsonl(good[300:]))
    proc = start_retrain(procs, model, east.url, {EAST: east.url}, "--every-s", "0.3")
    run = _first_run(proc)
    assert run["trained_rows"] == 600 and run["outcome"] == "promoted"
    assert metric(proc.url, "retrain_unreadable_lines_total") == len(garbage)
    assert metric(proc.url, "retrain_records_read") == 600


def test_too_few_records_is_a_skipped_run(
    procs: Targets, model: ModelArtifacts, stores: dict[str, MotoStore]
) -> None:
    east = stores[EAST]
    east.put_rows(*_stream(model, 200))
    proc = start_retrain(procs, model, east.url, {EAST: east.url}, "--every-s", "0.3")
    run = _first_run(proc)
    assert run["outcome"] == "skipped" and "min-rows" in run["reason"]
    assert east.latest() is None


def test_unreachable_store_never_crashes_retrain(procs: Targets, model: ModelArtifacts) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    proc = start_retrain(procs, model, nowhere, {EAST: nowhere}, "--every-s", "0.3")
    run = _first_run(proc)
    assert run["outcome"] == "failed" and "store" in run["reason"]
    wait_for(lambda: (metric(proc.url, "retrain_store_errors_total") or 0) >= 2)
    assert requests.get(f"{proc.url}/healthz", timeout=5).status_code == 200
    assert proc.proc.poll() is None
