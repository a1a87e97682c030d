"""Benchmark: start-up of each example's server and the latency each protocol adds to `harness`.

In one invocation it prints
1. per example (examples/mlserver, examples/mlflow): seconds from starting `serve.py` (in the
   venv the harness caches for its requirements.txt) to its health path answering 200, and the
   latency of one one-row request sent straight to it in the example's protocol;
2. per protocol: the client-side cost of encoding one row and decoding its answer (what the
   load adds per request), against `harness`;
3. unless --no-runs: the baseline p50/p99 through the whole stack (gateway, proxy, server) of
   a process-backend run of each example and of scenarios/regional-outage.yaml (the reference
   service, protocol `harness`), and each example's difference to it.

    .venv/bin/python bench/examples.py [--repeat 3] [--no-runs]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import TypeAdapter

from harness.protocols import ProtocolSpec
from harness.protocols.field import ProtocolField
from harness.venvs import ensure_venv

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "scenarios" / "regional-outage.yaml"
protocol_of = TypeAdapter(ProtocolField).validate_python


@dataclass(frozen=True)
class Example:
    """An example folder, its extra serve.py flags and its protocol."""

    name: str
    extra: tuple[str, ...]
    protocol: dict[str, str]

    @property
    def folder(self) -> Path:
        return ROOT / "examples" / self.name


EXAMPLES = (
    Example(
        "mlserver",
        ("--grpc-port", "{p1}", "--metrics-port", "{p2}"),
        {"kind": "open-inference-v2", "model": "bc"},
    ),
    Example("mlflow", (), {"kind": "mlflow"}),
)
# A recorded answer for one row, per protocol: what decode is timed on.
ANSWERS = {
    "harness": b'{"predictions": [1], "probabilities": [[0.1, 0.9]], "model_version": "v1"}',
    "open-inference-v2": b'{"model_name": "bc", "id": "x", "parameters": {}, "outputs": [{"name":'
    b' "predict", "shape": [1, 1], "datatype": "INT64", "data": [1]}]}',
    "mlflow": b'{"predictions": [1]}',
    "tfserving": b'{"predictions": [1]}',
}


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def holdout(example: Example) -> tuple[np.ndarray, list[str]]:
    """The example's held-out rows (float32) and feature names."""
    frame = pd.read_csv(example.folder / "holdout.csv").drop(columns=["diagnosis"])
    return frame.to_numpy(np.float32), list(frame.columns)


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """One POST; its status and body."""
    request = urllib.request.Request(url, body, dict(headers), method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return int(answer.status), bytes(answer.read())


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    """Poll `url` until it answers 200 (raise if the server ends or the time is up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} not healthy within {timeout} s")


def serve_once(example: Example, python: Path, requests: int) -> tuple[float, float]:
    """(start-up seconds, median one-row latency ms) of one fresh server."""
    spec = protocol_of(example.protocol)
    port = free_port()
    extra = [a.format(p1=free_port(), p2=free_port()) for a in example.extra]
    argv = [str(python), "serve.py", "--port", str(port), *extra]
    with tempfile.TemporaryDirectory() as tmp:
        argv += ["--model-dir", str(Path(tmp) / "model")]
        started = time.monotonic()
        proc = subprocess.Popen(
            argv,
            cwd=example.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_healthy(f"http://127.0.0.1:{port}{spec.default_health_path()}", proc, 120)
            startup = time.monotonic() - started
            rows, features = holdout(example)
            latencies = []
            for i in range(requests):
                encoded = spec.encode(rows[i % len(rows)][None, :], features)
                t0 = time.perf_counter()
                status, body = post(
                    f"http://127.0.0.1:{port}{encoded.path}", encoded.body, dict(encoded.headers)
                )
                spec.decode(status, body, 1)
                latencies.append((time.perf_counter() - t0) * 1000)
            return startup, statistics.median(latencies)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)


def codec_cost_us(
    spec: ProtocolSpec, rows: np.ndarray, features: list[str], n: int = 2000
) -> float:
    """Median microseconds to encode one row and decode a recorded answer."""
    answer = ANSWERS[spec.kind]
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        spec.encode(rows[i % len(rows)][None, :], features)
        spec.decode(200, answer, 1)
        times.append((time.perf_counter() - t0) * 1e6)
    return statistics.median(times)


def baseline_of_run(scenario: Path) -> tuple[float, float]:
    """(p50, p99 ms) of the baseline phase of one process-backend run at --time-scale 0.25."""
    with tempfile.TemporaryDirectory() as tmp:
        argv = [sys.executable, "-m", "harness", "run", str(scenario), "--backend", "process"]
        argv += ["--time-scale", "0.25", "--out", tmp]
        subprocess.run(argv, capture_output=True, check=False, cwd=ROOT)
        phases = json.loads((Path(tmp) / "results.json").read_text())["phases"]
        base = next(p for p in phases if p["name"] == "baseline")
        return float(base["p50_ms"]), float(base["p99_ms"])


def main() -> None:
    """Measure and print the three tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--no-runs", action="store_true", help="skip the whole-stack runs")
    args = parser.parse_args()

    print(f"example    start-up (s, median of {args.repeat})   one row direct (ms)")
    for example in EXAMPLES:
        venv = ensure_venv(example.folder / "requirements.txt", lambda line: None)
        runs = [
            serve_once(example, venv / "bin" / "python", args.requests) for _ in range(args.repeat)
        ]
        startup = statistics.median(r[0] for r in runs)
        latency = statistics.median(r[1] for r in runs)
        print(f"{example.name:10} {startup:8.2f}                     {latency:8.2f}")

    rows, features = holdout(EXAMPLES[0])
    specs = {
        "harness": protocol_of("harness"),
        "tfserving": protocol_of({"kind": "tfserving", "model": "bc"}),
    }
    specs.update({e.protocol["kind"]: protocol_of(e.protocol) for e in EXAMPLES})
    base = codec_cost_us(specs["harness"], rows, features)
    print("\nprotocol            encode+decode one row (µs)   added vs harness (µs)")
    for kind in sorted(specs, key=lambda k: k != "harness"):
        cost = codec_cost_us(specs[kind], rows, features)
        print(f"{kind:19} {cost:8.1f}                     {cost - base:+8.1f}")

    if args.no_runs:
        return
    ref50, ref99 = baseline_of_run(REFERENCE)
    print("\nthrough the stack (baseline phase, process backend, --time-scale 0.25)")
    print(f"{'harness (reference)':24} p50 {ref50:7.2f} ms  p99 {ref99:7.2f} ms")
    for example in EXAMPLES:
        p50, p99 = baseline_of_run(example.folder / "scenario.yaml")
        name = f"{example.protocol['kind']} ({example.name})"
        print(f"{name:24} p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  added p50 {p50 - ref50:+7.2f} ms")


if __name__ == "__main__":
    main()
