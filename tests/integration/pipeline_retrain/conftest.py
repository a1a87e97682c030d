"""Fixtures for the retrain tests: the reference model, two moto stores, retrain processes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from targets.model import ModelArtifacts, build_model
from tests.integration.pipeline_retrain.stores import MotoStore
from tests.integration.targets.conftest import Targets


@pytest.fixture(scope="session")
def model(tmp_path_factory: pytest.TempPathFactory) -> ModelArtifacts:
    """Build (or reuse) the reference model once per session."""
    return build_model(tmp_path_factory.mktemp("model"), seed=7)


@pytest.fixture
def procs() -> Iterator[Targets]:
    """Start target processes for one test; all are killed afterwards."""
    group = Targets()
    try:
        yield group
    finally:
        group.close()


@pytest.fixture(scope="module")
def module_stores() -> Iterator[dict[str, MotoStore]]:
    """One moto server per region for the module."""
    stores = {region: MotoStore(region) for region in ("us-east-1", "eu-west-1")}
    try:
        yield stores
    finally:
        for store in stores.values():
            store.stop()


@pytest.fixture
def stores(module_stores: dict[str, MotoStore]) -> dict[str, MotoStore]:
    """Both regions' stores, emptied."""
    for store in module_stores.values():
        store.reset()
    return module_stores
