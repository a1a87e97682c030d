"""The inference server as a real subprocess: predict, bad input, metrics, readiness, drain."""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest
import requests

from targets.model import ModelArtifacts

BAD_BODIES = [
    b"not json",
    b'{"rows": "x"}',
    b'{"features": [[1, 2]]}',
    b'{"rows": []}',
    b'{"rows": [[1, 2, 3]]}',
    b'{"rows": [' + b'"a", ' * 19 + b'"a"]}',
    b'{"rows": [[' + b"1, " * 19 + b'"7"]]}',
    b'{"rows": [[' + b"1, " * 19 + b"true]]}",
    b'{"rows": [[' + b"1, " * 19 + b"NaN]]}",
    b'{"rows": [[' + b"1, " * 19 + b"1e999]]}",
    b'{"rows": [[' + b"1, " * 19 + b"[1]]]}",
    b"[1, 2, 3]",
]


@pytest.fixture(scope="module")
def server(module_procs: Any, model: ModelArtifacts) -> Any:
    """One inference server shared by the read-only tests of this module."""
    proc = module_procs.inference(model.model_path, "inference-test-0", "us-east-1")
    proc.ready()
    return proc


def _holdout(model: ModelArtifacts, n: int) -> tuple[np.ndarray, np.ndarray]:
    data = np.load(model.holdout_path)
    return data["X"][:n], data["y"][:n]


def _metric(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_ready_line_and_probes(server: Any, model: ModelArtifacts) -> None:
    ready = server.wait_event("ready")
    assert ready["instance"] == "inference-test-0" and ready["region"] == "us-east-1"
    assert ready["model_version"] == model.model_version
    assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200
    r = requests.get(f"{server.url}/readyz", timeout=5)
    assert r.status_code == 200 and r.json()["ready"] is True


def test_predict_matches_in_process_onnxruntime(server: Any, model: ModelArtifacts) -> None:
    X, _ = _holdout(model, 64)
    r = requests.post(f"{server.url}/predict", json={"rows": X.tolist()}, timeout=5)
    assert r.status_code == 200
    body = r.json()
    assert body["model_version"] == model.model_version
    assert body["instance"] == "inference-test-0" and body["region"] == "us-east-1"
    sess = ort.InferenceSession(str(model.model_path), providers=["CPUExecutionProvider"])
    labels, probs = sess.run(None, {"input": X})
    assert body["predictions"] == labels.tolist()
    got = np.asarray(body["probabilities"], dtype=np.float32)
    assert got.shape == (64, 2)
    np.testing.assert_array_equal(got, probs)


@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_input_is_400_and_server_keeps_serving(
    server: Any, model: ModelArtifacts, body: bytes
) -> None:
    r = requests.post(
        f"{server.url}/predict", data=body, headers={"Content-Type": "application/json"}, timeout=5
    )
    assert r.status_code == 400
    assert isinstance(r.json()["error"], str)
    X, _ = _holdout(model, 1)
    ok = requests.post(f"{server.url}/predict", json={"rows": X.tolist()}, timeout=5)
    assert ok.status_code == 200 and server.proc.poll() is None


def test_metrics_count_requests(server: Any, model: ModelArtifacts) -> None:
    before = requests.get(f"{server.url}/metrics", timeout=5).text
    X, _ = _holdout(model, 3)
    with requests.Session() as s:
        for _ in range(5):
            assert s.post(f"{server.url}/predict", json={"rows": X.tolist()}).status_code == 200
        assert s.post(f"{server.url}/predict", json={"rows": [[1]]}).status_code == 400
    after = requests.get(f"{server.url}/metrics", timeout=5).text
    ok = 'inference_http_requests_total{path="/predict",code="200"}'
    bad = 'inference_http_requests_total{path="/predict",code="400"}'
    assert _metric(after, ok) - _metric(before, ok) == 5
    assert _metric(after, bad) - _metric(before, bad) == 1
    count = "inference_predict_latency_seconds_count"
    assert _metric(after, count) - _metric(before, count) == 6
    assert _metric(after, "inference_rows_total") - _metric(before, "inference_rows_total") == 15
    assert _metric(after, "inference_in_flight_requests") == 0
    assert f'inference_model_info{{model_version="{model.model_version}"' in after


class _Stream:
    """Workers posting slow requests back to back, recording (start, end, status or error)."""

    def __init__(self, url: str, rows: list[list[float]], workers: int) -> None:
        self.url, self.rows = url, rows
        self.results: list[tuple[float, float, int | str]] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(workers)]
        for t in self.threads:
            t.start()

    def _run(self) -> None:
        with requests.Session() as s:
            while not self.stop.is_set():
                t0 = time.monotonic()
                try:
                    outcome: int | str = s.post(
                        f"{self.url}/predict", json={"rows": self.rows}, timeout=10
                    ).status_code
                except requests.RequestException as exc:
                    outcome = type(exc).__name__
                    time.sleep(0.02)
                self.results.append((t0, time.monotonic(), outcome))

    def join(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=15)


def _readyz_status(url: str) -> int | str:
    try:
        return requests.get(f"{url}/readyz", timeout=2).status_code
    except requests.RequestException as exc:
        return type(exc).__name__


def test_sigterm_drains_in_flight_requests(procs: Any, model: ModelArtifacts) -> None:
    proc = procs.inference(
        model.model_path,
        "inference-drain",
        "us-east-1",
        "--service-time-ms",
        "300",
        "--drain-grace-s",
        "1.0",
    )
    proc.ready()
    X, _ = _holdout(model, 2)
    stream = _Stream(proc.url, X.tolist(), workers=6)
    time.sleep(0.8)  # several requests in flight at any moment
    t_sig = time.monotonic()
    proc.signal(signal.SIGTERM)
    seen = []
    for _ in range(10):  # well inside the 1 s grace, while the listener is still open
        seen.append(_readyz_status(proc.url))
        time.sleep(0.03)
    rc = proc.proc.wait(timeout=20)
    stream.join()
    assert rc == 0
    assert 503 in seen
    before = [r for r in stream.results if r[0] < t_sig]
    assert before and all(status == 200 for _, _, status in before)
    assert any(end > t_sig for _, end, _ in before), "some requests were in flight at SIGTERM"
    assert proc.wait_event("stopped")["signal"] == "SIGTERM"


def test_sigint_exits_cleanly(procs: Any, model: ModelArtifacts) -> None:
    proc = procs.inference(model.model_path, "inference-int", "us-east-1")
    proc.ready()
    proc.signal(signal.SIGINT)
    assert proc.proc.wait(timeout=20) == 0


def test_unloadable_model_exits_2(procs: Any, tmp_path: Any) -> None:
    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"not an onnx model")
    proc = procs.inference(bad, "inference-bad", "us-east-1")
    assert proc.proc.wait(timeout=30) == 2
    assert proc.wait_event("error")["instance"] == "inference-bad"
