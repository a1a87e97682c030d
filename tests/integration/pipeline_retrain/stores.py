"""Test helpers: a real moto S3 server per region, records written as ingest does, models published."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

import numpy as np
import requests

from targets.common import s3 as s3lib
from targets.inference.registry import BUCKET, LATEST_KEY, publish
from targets.model import ModelArtifacts
from targets.model.dataset import FEATURES
from tests.integration.targets.conftest import Targets, free_port

__all__ = ["MotoStore", "jsonl", "metric", "records", "start_retrain", "wait_for"]

NAMES = [name for name, _, _ in FEATURES]


def records(X: np.ndarray, y: np.ndarray, start: int = 0) -> list[dict[str, Any]]:
    """Turn rows and labels into pipeline records (docs/pipeline.md "Records")."""
    out = []
    for i, (row, label) in enumerate(zip(X.tolist(), y.tolist(), strict=True)):
        rec: dict[str, Any] = {"id": f"rec-{start + i:09d}", "ts": time.time(), "label": int(label)}
        rec.update(zip(NAMES, row, strict=True))
        out.append(rec)
    return out


def jsonl(recs: list[dict[str, Any]]) -> bytes:
    """Serialise records one JSON object per line."""
    return b"".join(json.dumps(r).encode() + b"\n" for r in recs)


class MotoStore:
    """`python -m moto.server` on a free 127.0.0.1 port, with the stack's buckets."""

    def __init__(self, region: str = "us-east-1") -> None:
        self.region = region
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.s3: Any = s3lib.client(self.url, region)
        try:
            self._wait_up()
        except BaseException:  # never leave the server running when it did not come up
            self.stop()
            raise
        self._buckets()
        self._seq = 0

    def _wait_up(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto server exited with {self.proc.returncode}")
            try:
                requests.get(self.url, timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("moto server did not come up")

    def _buckets(self) -> None:
        where = {} if self.region == "us-east-1" else {"LocationConstraint": self.region}
        for bucket in s3lib.BUCKETS:
            self.s3.create_bucket(
                Bucket=bucket, **({"CreateBucketConfiguration": where} if where else {})
            )

    def reset(self) -> None:
        """Drop every object (moto's reset) and create the buckets again."""
        requests.post(f"{self.url}/moto-api/reset", timeout=5).raise_for_status()
        self._buckets()

    def stop(self) -> None:
        """Kill the server (its data is gone, like a lost region)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)

    def put_batch(self, body: bytes, region: str | None = None, ms: int | None = None) -> str:
        """Store one batch object under records/raw/<region>/ as ingest names it; return its key."""
        self._seq += 1
        ms = ms if ms is not None else int(time.time() * 1000)
        key = f"raw/{region or self.region}/{ms:013d}-ingest-test-{self._seq:06d}.jsonl"
        self.s3.put_object(Bucket="records", Key=key, Body=body)
        return key

    def put_rows(self, X: np.ndarray, y: np.ndarray, batch: int = 100, ms: int = 0) -> list[str]:
        """Write rows as batches of records, oldest first, 1 ms apart from `ms` (default: now)."""
        ms = ms or int(time.time() * 1000)
        return [
            self.put_batch(jsonl(records(X[i : i + batch], y[i : i + batch], i)), ms=ms + i)
            for i in range(0, len(y), batch)
        ]

    def publish(self, model_bytes: bytes, version: str, **info: Any) -> dict[str, Any]:
        """Publish a model to this store's registry (artifact, then latest.json)."""
        return publish(self.s3, model_bytes, version, **info)

    def put_registry(self, key: str, data: bytes) -> None:
        """Write a registry object directly (a corrupted artifact, a hand-made latest.json)."""
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=data)

    def latest(self) -> dict[str, Any] | None:
        """Return the registry's latest.json, None when absent."""
        try:
            body = self.s3.get_object(Bucket=BUCKET, Key=LATEST_KEY)["Body"].read()
        except self.s3.exceptions.NoSuchKey:
            return None
        doc: dict[str, Any] = json.loads(body)
        return doc


def metric(url: str, series: str) -> float | None:
    """Return one series' value from a target's /metrics (None when absent)."""
    text = requests.get(f"{url}/metrics", timeout=5).text
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


def wait_for(check: Any, timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Call check() until it returns a truthy value; return it, or fail after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last: {value!r})")
        time.sleep(interval)


def start_retrain(
    procs: Targets, model: ModelArtifacts, store_url: str, publish: dict[str, str], *extra: str
) -> Any:
    """Start retrain for us-east-1 with fast checks and a 1000-row window; wait until ready."""
    args = [
        *("--host", "127.0.0.1", "--port", str(free_port())),
        *("--region", "us-east-1", "--instance", "retrain-us-east-1", "--store", store_url),
        *("--golden", str(model.holdout_path), "--profile", str(model.profile_path)),
        *("--check-interval-s", "0.2", "--window", "1000", "--min-rows", "500"),
    ]
    for region, url in publish.items():
        args += ["--publish", f"{region}={url}"]
    proc = procs.start("retrain", "targets.pipeline.retrain", *args, *extra)
    proc.ready()
    return proc
