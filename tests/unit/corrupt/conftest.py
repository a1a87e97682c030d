"""Small frames shaped like what the harness corrupts: serving requests and ingest records."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from targets.model.dataset import FEATURES

NAMES = [name for name, _, _ in FEATURES]
N_ROWS = 40


def make_serving(n: int = N_ROWS, seed: int = 0) -> pd.DataFrame:
    """Return n serving rows: the 20 float32 features, distinct and non-zero (so scaling shows)."""
    rng = np.random.default_rng(seed)
    scale = np.array([s for _, s, _ in FEATURES])
    offset = np.array([o for _, _, o in FEATURES])
    values = rng.uniform(1.0, 2.0, size=(n, len(NAMES))) * scale + offset
    return pd.DataFrame(values.astype(np.float32), columns=NAMES)


def make_ingest(n: int = N_ROWS, seed: int = 0) -> pd.DataFrame:
    """Return n ingest records: id, ts, label (0/1), then the 20 features."""
    rng = np.random.default_rng(seed + 1)
    head = pd.DataFrame(
        {
            "id": [f"rec-{i:04d}" for i in range(n)],
            "ts": 1.7e9 + np.arange(n) * 0.5,
            "label": rng.permutation(np.arange(n) % 2).astype(np.int64),
        }
    )
    return pd.concat([head, make_serving(n, seed)], axis=1)


def make_categories(n: int = N_ROWS) -> pd.DataFrame:
    """Return a text category column (with vowels), an integer code column and a float column."""
    cities = np.array(["paris", "oslo", "lima", "quito"])
    return pd.DataFrame(
        {
            "city": cities[np.arange(n) % 4],
            "code": (np.arange(n) % 3).astype(np.int64),
            "x": np.linspace(1.0, 2.0, n),
        }
    )


@pytest.fixture
def serving() -> pd.DataFrame:
    return make_serving()


@pytest.fixture
def ingest() -> pd.DataFrame:
    return make_ingest()


@pytest.fixture
def frame_factory() -> Callable[..., pd.DataFrame]:
    """Build frames of a given shape: "serving", "ingest" or "categories"."""
    builders: dict[str, Callable[..., pd.DataFrame]] = {
        "serving": make_serving,
        "ingest": make_ingest,
        "categories": make_categories,
    }
    return lambda shape, **kw: builders[shape](**kw)
