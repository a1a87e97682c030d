"""Fixtures for the load integration tests: a held-out file and a fake gateway."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fake_gateway import FakeGateway


@pytest.fixture
def holdout(tmp_path: Path) -> Path:
    """Write 200 labelled rows; the fake model is right on 90% of them."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    y[:20] = 1 - y[:20]
    path = tmp_path / "holdout.npz"
    np.savez(path, X=x, y=y)
    return path


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    """Start a healthy fake gateway; tests change `gateway.plan` before load starts."""
    gw = FakeGateway().start()
    yield gw
    gw.close()
