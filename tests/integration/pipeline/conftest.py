"""Fixtures for the pipeline tests: one object store per region; `model` and `procs` as for targets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from targets.model import ModelArtifacts
from tests.integration.pipeline.support import EAST, WEST, Store, start_ingest, start_store
from tests.integration.targets.conftest import TargetProcess, Targets, model, procs

__all__ = ["ingest", "model", "module_stores", "procs", "stores"]


@pytest.fixture(scope="session")
def module_stores() -> Iterator[dict[str, Store]]:
    """An object store per region, shared by the whole folder (a start costs ~1.5 s)."""
    group = Targets()
    try:
        yield {region: start_store(group, region) for region in (EAST, WEST)}
    finally:
        group.close()


@pytest.fixture
def stores(module_stores: dict[str, Store]) -> dict[str, Store]:
    """Both regions' stores, emptied, with their buckets."""
    for store in module_stores.values():
        store.reset()
    return module_stores


@pytest.fixture
def ingest(procs: Targets, model: ModelArtifacts, stores: dict[str, Store]) -> TargetProcess:
    """A ready us-east-1 ingest with default arguments on the emptied us-east-1 store."""
    return start_ingest(procs, model, stores[EAST].url)
