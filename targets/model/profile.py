"""The reference profile of the training data: ranges and quantile bins the stack's checks use."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["BINS", "MARGIN_STD", "reference_profile"]

BINS = 10
# Ingest accepts values within [min − m·std, max + m·std]: wide enough for honest tails, narrow
# enough to catch unit changes (×100, ×1000) and garbage.
MARGIN_STD = 6.0


def reference_profile(X: np.ndarray, names: list[str]) -> dict[str, Any]:
    """Describe every feature column of `X`: min, max, mean, std and decile bins with shares."""
    features = []
    for j, name in enumerate(names):
        col = X[:, j].astype(np.float64)
        inner = np.unique(np.quantile(col, np.linspace(0, 1, BINS + 1)[1:-1]))
        counts = np.bincount(np.searchsorted(inner, col, side="right"), minlength=len(inner) + 1)
        features.append(
            {
                "name": name,
                "min": float(col.min()),
                "max": float(col.max()),
                "mean": float(col.mean()),
                "std": float(col.std()),
                # Inner edges: bin k holds values v with edges[k-1] <= v < edges[k] (open ends).
                "bin_edges": [float(e) for e in inner],
                "expected": [float(c) / len(col) for c in counts],
            }
        )
    return {"rows": int(X.shape[0]), "margin_std": MARGIN_STD, "features": features}
