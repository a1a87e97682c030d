"""Sync replication in ingest: every region's store holds the batch before the ack, or no ack."""

from __future__ import annotations

from targets.model import ModelArtifacts
from tests.integration.pipeline.support import EAST, WEST, Store, rows, start_ingest, start_store
from tests.integration.pipeline.test_ingest import post
from tests.integration.pipeline_retrain.stores import jsonl, metric, records
from tests.integration.targets.conftest import TargetProcess, Targets


def start_replicating(
    procs: Targets, model: ModelArtifacts, east: Store, west: Store, mode: str
) -> TargetProcess:
    """Start us-east-1 ingest with `--replication mode` and the eu-west-1 store as replica."""
    return start_ingest(
        procs, model, east.url, "--replication", mode, "--replica", f"{WEST}={west.url}"
    )


def test_sync_writes_every_region_before_the_ack(
    procs: Targets, model: ModelArtifacts, stores: dict[str, Store]
) -> None:
    east, west = stores[EAST], stores[WEST]
    proc = start_replicating(procs, model, east, west, "sync")
    reply = post(proc, jsonl(records(*rows(model, 20)))).json()
    assert len(reply["accepted"]) == 20
    assert east.keys("records") == west.keys("records") == [reply["key"]]
    assert east.body("records", reply["key"]) == west.body("records", reply["key"])


def test_sync_acks_nothing_when_a_replica_store_is_gone(
    procs: Targets, model: ModelArtifacts, stores: dict[str, Store]
) -> None:
    east = stores[EAST]
    west = start_store(procs, WEST)  # its own store: this test kills it
    proc = start_replicating(procs, model, east, west, "sync")
    assert post(proc, jsonl(records(*rows(model, 5)))).status_code == 200
    west.proc.kill()
    reply = post(proc, jsonl(records(*rows(model, 5, start=5))))
    assert reply.status_code == 503
    body = reply.json()
    assert body["accepted"] == [] and list(body["failed"]) == [WEST]
    assert len(east.keys("records")) == 1  # the own copy of the refused batch was taken back
    assert metric(proc.url, f'ingest_store_errors_total{{region="{WEST}"}}') == 1
    assert metric(proc.url, f'ingest_store_errors_total{{region="{EAST}"}}') == 0


def test_async_mode_writes_only_the_own_store(
    procs: Targets, model: ModelArtifacts, stores: dict[str, Store]
) -> None:
    east, west = stores[EAST], stores[WEST]
    proc = start_replicating(procs, model, east, west, "async")
    reply = post(proc, jsonl(records(*rows(model, 5)))).json()
    assert east.keys("records") == [reply["key"]] and west.keys("records") == []
