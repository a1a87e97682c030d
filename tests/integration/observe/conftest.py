"""A real moto S3 server for the store-scan tests (the pipeline tests' MotoStore), always killed."""

from __future__ import annotations

from collections.abc import Iterator

import moto  # noqa: F401  (a dependency: missing must fail the tests, never skip them)
import pytest

from tests.integration.pipeline_retrain.stores import MotoStore


@pytest.fixture(scope="module")
def moto_server() -> Iterator[MotoStore]:
    """One moto server per test module, with the stack's buckets."""
    server = MotoStore()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def store(moto_server: MotoStore) -> MotoStore:
    """The module's server, emptied (buckets `records`, `registry`, `quarantine` kept)."""
    moto_server.reset()
    return moto_server
