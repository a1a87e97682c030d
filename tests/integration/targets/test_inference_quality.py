"""Inference quality alerts: feature_drift rises on scaled rows and clears on clean ones."""

from __future__ import annotations

from typing import Any

import numpy as np
import requests

from targets.model import ModelArtifacts
from tests.integration.pipeline_retrain.stores import metric, wait_for

INSTANCE = "inference-q-0"
DRIFT = f'quality_alert{{check="feature_drift",instance="{INSTANCE}"}}'
REJECTED = f'quality_alert{{check="model_rejected",instance="{INSTANCE}"}}'


def _send(url: str, X: np.ndarray, per_request: int = 20) -> None:
    for i in range(0, len(X), per_request):
        r = requests.post(
            f"{url}/predict", json={"rows": X[i : i + per_request].tolist()}, timeout=5
        )
        assert r.status_code == 200, r.text


def test_feature_drift_alert_rises_on_scaled_rows_and_clears(
    procs: Any, model: ModelArtifacts
) -> None:
    proc = procs.inference(
        model.model_path, INSTANCE, "us-east-1", "--profile", str(model.profile_path)
    )
    proc.ready()
    X = np.load(model.holdout_path)["X"]
    _send(proc.url, X[:200])
    wait_for(lambda: (metric(proc.url, "inference_feature_psi_max") or 0) > 0)
    assert metric(proc.url, DRIFT) == 0
    assert metric(proc.url, "inference_feature_psi_max") < 0.25  # type: ignore[operator]
    _send(proc.url, X[200:400] * 100)
    wait_for(lambda: metric(proc.url, DRIFT) == 1, timeout=5)
    assert metric(proc.url, "inference_feature_psi_max") >= 0.25  # type: ignore[operator]
    _send(proc.url, X[400:600])  # clean rows refill the 200-row window
    wait_for(lambda: metric(proc.url, DRIFT) == 0, timeout=5)
    assert metric(proc.url, REJECTED) == 0


def test_without_profile_there_is_no_drift_check(procs: Any, model: ModelArtifacts) -> None:
    proc = procs.inference(model.model_path, INSTANCE, "us-east-1")
    proc.ready()
    _send(proc.url, np.load(model.holdout_path)["X"][:40] * 100)
    assert metric(proc.url, DRIFT) is None
    assert metric(proc.url, REJECTED) == 0
