"""Fixtures for the retrain tests: two moto stores; the model and `procs` come from the targets tests."""

from __future__ import annotations

import pytest

from tests.integration.pipeline_retrain.stores import MotoStore
from tests.integration.targets.conftest import model, procs

__all__ = ["model", "module_stores", "procs", "stores"]


@pytest.fixture
def module_stores(moto_stores: dict[str, MotoStore]) -> dict[str, MotoStore]:
    """The session's moto server of each region (tests/integration/conftest.py)."""
    return moto_stores


@pytest.fixture
def stores(module_stores: dict[str, MotoStore]) -> dict[str, MotoStore]:
    """Both regions' stores, emptied."""
    for store in module_stores.values():
        store.reset()
    return module_stores
