"""The stack's own drift check: PSI of a rolling window of rows against the reference profile."""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["PSI_ALERT", "RollingDrift", "load_profile", "psi"]

PSI_ALERT = 0.25  # the usual "major change" band
_FLOOR = 1e-4  # an empty bin counts as this share (as Evidently does), so ln() stays finite


def load_profile(path: Path) -> dict[str, Any]:
    """Read profile.json (written by targets.model.build beside the model)."""
    profile: dict[str, Any] = json.loads(Path(path).read_text())
    return profile


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Population stability index Σ (a − e)·ln(a / e) of two share vectors."""
    e = np.maximum(np.asarray(expected, dtype=np.float64), _FLOOR)
    a = np.maximum(np.asarray(actual, dtype=np.float64), _FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


class RollingDrift:
    """Keep the bin of each feature for the last `window` rows; PSI per feature on demand.

    Non-finite values are not binned (a validation check catches those). The check fires only
    once the window is full, so a few early rows cannot raise a false alarm.
    """

    def __init__(self, profile: dict[str, Any], window: int = 200, threshold: float = PSI_ALERT):
        feats = profile["features"]
        self.names = [f["name"] for f in feats]
        self._edges = [np.asarray(f["bin_edges"], dtype=np.float64) for f in feats]
        self._expected = [np.asarray(f["expected"], dtype=np.float64) for f in feats]
        self.window = window
        self.threshold = threshold
        self._bins: deque[np.ndarray] = deque(maxlen=window)

    def add(self, rows: np.ndarray) -> None:
        """Add rows (shape [n, features]) to the window."""
        X = np.asarray(rows, dtype=np.float64).reshape(-1, len(self.names))
        binned = np.stack(
            [np.searchsorted(edges, X[:, j], side="right") for j, edges in enumerate(self._edges)],
            axis=1,
        )
        binned[~np.isfinite(X)] = -1
        self._bins.extend(binned)

    @property
    def full(self) -> bool:
        """True once the window holds `window` rows."""
        return len(self._bins) == self.window

    def psi_by_feature(self) -> dict[str, float]:
        """PSI of each feature over the rows in the window (0.0 for an empty window)."""
        if not self._bins:
            return {name: 0.0 for name in self.names}
        B = np.stack(self._bins)
        out = {}
        for j, name in enumerate(self.names):
            col = B[:, j]
            col = col[col >= 0]
            n_bins = len(self._expected[j])
            shares = np.bincount(col, minlength=n_bins) / max(len(col), 1)
            out[name] = psi(self._expected[j], shares) if len(col) else 0.0
        return out

    def psi_max(self) -> float:
        """The largest PSI over the features."""
        return max(self.psi_by_feature().values(), default=0.0)

    @property
    def firing(self) -> bool:
        """True when the window is full and some feature's PSI reaches the threshold."""
        return self.full and self.psi_max() >= self.threshold
