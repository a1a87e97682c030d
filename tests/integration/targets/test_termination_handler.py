"""The inference termination handler against a real metadata server: a notice drains, serving goes on."""

from __future__ import annotations

import math
import signal
import time
from pathlib import Path

import numpy as np
import pytest
import requests

from targets.model import ModelArtifacts
from tests.integration.pipeline_retrain.stores import metric, wait_for
from tests.integration.targets.conftest import TargetProcess, Targets, free_port
from tests.integration.targets.test_metadata import (
    schedule,
    sleep_until,
    start_metadata,
    write_state,
)

INSTANCE = "inference-spot-0"
POLL = ("--spot-poll-s", "0.2")


def _rows(model: ModelArtifacts) -> list[list[float]]:
    return np.load(model.holdout_path)["X"][:5].tolist()  # type: ignore[no-any-return]


def _predict(proc: TargetProcess, rows: list[list[float]]) -> requests.Response:
    return requests.post(f"{proc.url}/predict", json={"rows": rows}, timeout=5)


def _readyz(proc: TargetProcess) -> requests.Response:
    return requests.get(f"{proc.url}/readyz", timeout=5)


def _spot_instance(
    procs: Targets, model: ModelArtifacts, state: Path, provider: str
) -> tuple[TargetProcess, TargetProcess]:
    meta = start_metadata(procs, state, INSTANCE)
    spot = ("--spot-metadata", meta.url, "--spot-provider", provider, *POLL)
    inference = procs.inference(model.model_path, INSTANCE, "us-east-1", *spot)
    inference.ready()
    return meta, inference


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_notice_drains_and_requests_are_still_served(
    procs: Targets, model: ModelArtifacts, tmp_path: Path, provider: str
) -> None:
    state = tmp_path / f"{INSTANCE}.json"
    _, inference = _spot_instance(procs, model, state, provider)
    rows = _rows(model)
    doc = schedule(provider, notice_in=1.5, terminate_in=3.0, rebalance_in=0.3)
    write_state(state, doc)
    assert _readyz(inference).status_code == 200
    assert _predict(inference, rows).status_code == 200
    if provider == "aws":  # a rebalance recommendation is counted but does not drain
        wait_for(lambda: metric(inference.url, "inference_spot_rebalance") == 1, timeout=2)
        assert inference.wait_event("spot_rebalance")["provider"] == "aws"
        assert time.time() < doc["notice_at"] and _readyz(inference).status_code == 200
    wait_for(
        lambda: _readyz(inference).status_code == 503, timeout=doc["notice_at"] - time.time() + 2
    )
    drained = time.time()
    assert doc["notice_at"] <= drained < doc["notice_at"] + 1.0
    assert _readyz(inference).json() == {"ready": False, "reason": "spot_notice"}
    assert metric(inference.url, "inference_spot_notice") == 1
    assert metric(inference.url, "inference_ready") == 0
    assert metric(inference.url, "inference_spot_poll_errors_total") == 0
    r = _predict(inference, rows)
    assert r.status_code == 200 and r.headers.get("Connection", "").lower() == "close"
    notice = inference.wait_event("spot_notice")
    expected = None if provider == "gcp" else math.floor(doc["terminate_at"])  # GCE tells no time
    assert notice["provider"] == provider and notice["terminate_at"] == expected
    assert sum(e.get("event") == "spot_notice" for e in inference.events) == 1
    inference.signal(signal.SIGTERM)  # the platform's SIGTERM still ends it cleanly
    assert inference.proc.wait(timeout=20) == 0
    assert inference.wait_event("stopped")["signal"] == "SIGTERM"


def test_without_spot_metadata_nothing_is_noticed(
    procs: Targets, model: ModelArtifacts, tmp_path: Path
) -> None:
    state = tmp_path / f"{INSTANCE}.json"
    meta = start_metadata(procs, state, INSTANCE)
    inference = procs.inference(model.model_path, INSTANCE, "us-east-1", *POLL)
    inference.ready()
    doc = schedule("aws", notice_in=0.2, terminate_in=3.0)
    write_state(state, doc)
    sleep_until(doc["notice_at"] + 0.8)  # several poll intervals past the notice
    action = requests.get(f"{meta.url}/latest/meta-data/spot/instance-action", timeout=5)
    assert action.status_code == 200  # the notice is there to see
    assert _readyz(inference).status_code == 200
    assert _predict(inference, _rows(model)).status_code == 200
    assert metric(inference.url, "inference_spot_notice") is None


def test_unreachable_metadata_is_counted_and_keeps_serving(
    procs: Targets, model: ModelArtifacts
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    spot = ("--spot-metadata", nowhere, "--spot-provider", "azure", *POLL)
    inference = procs.inference(model.model_path, INSTANCE, "us-east-1", *spot)
    inference.ready()
    wait_for(lambda: (metric(inference.url, "inference_spot_poll_errors_total") or 0) >= 3)
    assert _readyz(inference).status_code == 200
    assert inference.wait_event("spot_metadata_unreachable")["url"] == nowhere
    assert sum(e.get("event") == "spot_metadata_unreachable" for e in inference.events) == 1
    assert metric(inference.url, "inference_spot_notice") == 0


def test_bad_spot_arguments_are_refused(procs: Targets, model: ModelArtifacts) -> None:
    for bad in (("--spot-provider", "ibm"), ("--spot-poll-s", "0")):
        proc = procs.inference(model.model_path, INSTANCE, "us-east-1", *bad)
        assert proc.proc.wait(timeout=20) == 2, bad
