"""A real moto S3 server for the store-scan tests: the session's (tests/integration/conftest.py)."""

from __future__ import annotations

import moto  # noqa: F401  (a dependency: missing must fail the tests, never skip them)
import pytest

from tests.integration.pipeline_retrain.stores import MotoStore


@pytest.fixture
def moto_server(moto_stores: dict[str, MotoStore]) -> MotoStore:
    """The session's us-east-1 moto server, with the stack's buckets."""
    return moto_stores["us-east-1"]


@pytest.fixture
def store(moto_server: MotoStore) -> MotoStore:
    """The module's server, emptied (buckets `records`, `registry`, `quarantine` kept)."""
    moto_server.reset()
    return moto_server
