"""Fixtures for the retrain tests: two moto stores; the model and `procs` come from the targets tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.pipeline_retrain.stores import MotoStore
from tests.integration.targets.conftest import model, procs

__all__ = ["model", "module_stores", "procs", "stores"]


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
