"""Helpers for the pipeline tests: object stores, ingest and replicator subprocesses, records."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import requests

from targets.common import s3 as s3lib
from targets.model import ModelArtifacts
from targets.objectstore.server import create_buckets
from tests.integration.targets.conftest import TargetProcess, Targets, free_port

__all__ = ["EAST", "WEST", "Store", "rows", "start_ingest", "start_replicator", "start_store"]

EAST, WEST = "us-east-1", "eu-west-1"


@dataclass
class Store:
    """A `targets.objectstore.server` subprocess of one region."""

    region: str
    proc: TargetProcess
    port: int

    @property
    def url(self) -> str:
        """Base URL of the store."""
        return f"http://127.0.0.1:{self.port}"

    @cached_property
    def s3(self) -> Any:
        """A boto3 client for the store (made once: a client costs ~50 ms)."""
        return s3lib.client(self.url, self.region)

    def reset(self) -> None:
        """Drop every object and bucket (moto's reset), then create the buckets again."""
        requests.post(f"{self.url}/moto-api/reset", timeout=5).raise_for_status()
        create_buckets(self.url, self.region)

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """Every key under `prefix` in `bucket`, sorted."""
        reply = self.s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
        return sorted(obj["Key"] for obj in reply.get("Contents", []))

    def body(self, bucket: str, key: str) -> bytes:
        """One object's bytes."""
        data: bytes = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        return data


def start_store(group: Targets, region: str, port: int | None = None) -> Store:
    """Start an object store (on `port`, else a free one) and wait for its ready line."""
    port = port if port is not None else free_port()
    proc = group.start(
        f"object-store-{region}", "targets.objectstore.server",
        "--host", "127.0.0.1", "--port", str(port), "--region", region,
    )  # fmt: skip
    proc.ready()
    return Store(region, proc, port)


def start_ingest(
    group: Targets, model: ModelArtifacts, store_url: str, *extra: str, ready: bool = True
) -> TargetProcess:
    """Start ingest for us-east-1 on a free port; wait for the ready line unless told not to."""
    proc = group.start(
        "ingest", "targets.pipeline.ingest",
        "--host", "127.0.0.1", "--port", str(free_port()), "--region", EAST,
        "--instance", f"ingest-{EAST}", "--store", store_url, "--profile", str(model.profile_path),
        *extra,
    )  # fmt: skip
    if ready:
        proc.ready()
    return proc


def start_replicator(
    group: Targets, own_url: str, replicas: dict[str, str], *extra: str
) -> TargetProcess:
    """Start the us-east-1 replicator (fast passes) and wait for its ready line."""
    args = ["--host", "127.0.0.1", "--port", str(free_port()), "--region", EAST]
    args += ["--instance", f"replicator-{EAST}", "--store", own_url, "--interval-s", "0.1"]
    for region, url in replicas.items():
        args += ["--replica", f"{region}={url}"]
    proc = group.start("replicator", "targets.pipeline.replicator", *args, *extra)
    proc.ready()
    return proc


def rows(model: ModelArtifacts, n: int, start: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n` rows and labels of the feed's stream, from `start`."""
    with np.load(model.stream_path) as data:
        return data["X"][start : start + n], data["y"][start : start + n]
