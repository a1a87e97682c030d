"""The flags of the pipeline's services (ingest, replicator, retrain), for them and the harness."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from targets.common.flags import Flag, RegionUrl, ServerFlags

INGEST_MAX_BODY_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, kw_only=True)
class PipelineFlags(ServerFlags):
    """What ingest and the replicator both take: who it is, its stores."""

    region: str
    instance: str
    store: Annotated[str, Flag("URL of this region's object store")]
    replica: Annotated[
        tuple[RegionUrl, ...], Flag("another region's store (repeatable)", metavar="REGION=URL")
    ] = ()
    store_timeout_s: Annotated[float, Flag("per store call")] = 2.0
    drain_grace_s: float = 0.0


@dataclass(frozen=True, kw_only=True)
class IngestFlags(PipelineFlags):
    """Ingest: its replication mode, the model's profile (drift), body and window sizes."""

    replication: Annotated[str, Flag(choices=("async", "sync", "none"))] = "async"
    profile: Annotated[Path, Flag("profile.json of the model")]
    drift_window: Annotated[int, Flag("accepted rows in the window")] = 200
    max_body_bytes: int = INGEST_MAX_BODY_BYTES


@dataclass(frozen=True, kw_only=True)
class ReplicatorFlags(PipelineFlags):
    """The replicator: how often it copies, and how old an object must be to be copied."""

    interval_s: Annotated[float, Flag("time between passes")] = 1.0
    lag_s: Annotated[float, Flag("copy objects seen this long ago")] = 0.0


@dataclass(frozen=True, kw_only=True)
class RetrainFlags(ServerFlags):
    """Retrain: its stores, golden set and drift reference, and when it trains and promotes."""

    region: str = "local"
    instance: str = "retrain-0"
    store: Annotated[str, Flag("own region's store URL (records, registry)")]
    publish: Annotated[tuple[RegionUrl, ...], Flag("REGION=URL")] = ()
    golden: Annotated[Path, Flag("holdout.npz: the golden set")]
    profile: Annotated[Path, Flag("profile.json: drift reference")]
    check_interval_s: float = 1.0
    every_s: Annotated[float, Flag("scheduled run period, 0 = never")] = 0.0
    on_drift: bool = True
    window: Annotated[int, Flag("newest records trained on")] = 2000
    min_rows: int = 500
    max_drop: float = 0.02
    serving_accuracy: float | None = None
    drain_grace_s: float = 0.0
