"""Fixtures shared by every integration folder: one pair of moto S3 servers per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.pipeline_retrain.stores import MotoStore


@pytest.fixture(scope="session")
def moto_stores() -> Iterator[dict[str, MotoStore]]:
    """A moto server per region (a start costs 1-2 s), shared by the session; always killed.

    Tests take them through fixtures that empty them first (`stores`, `store`).
    """
    stores: dict[str, MotoStore] = {}
    try:
        for region in ("us-east-1", "eu-west-1"):
            stores[region] = MotoStore(region)
        yield stores
    finally:
        for store in stores.values():
            store.stop()
