"""Ingest quality alerts: the quarantine rate of recent lines and feature drift of accepted rows."""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np

from targets.common.drift import RollingDrift
from targets.common.metrics import Registry
from targets.pipeline.records import FEATURE_NAMES

__all__ = ["QUARANTINE_ALERT", "IngestQuality"]

QUARANTINE_ALERT = 0.05  # share of quarantined lines that raises quarantine_rate


class IngestQuality:
    """Keep `quality_alert{check,instance}` current for quarantine_rate and feature_drift.

    Both checks fire only over a full window, so the first few lines cannot raise a false alarm."""

    def __init__(
        self,
        registry: Registry,
        instance: str,
        profile: dict[str, Any],
        window: int = 200,
        drift_window: int = 200,
    ) -> None:
        self.instance = instance
        self.alert = registry.gauge(
            "quality_alert", "1 while a data quality check fires.", ("check", "instance")
        )
        self.rate = registry.gauge(
            "ingest_quarantine_rate", "Share of quarantined lines over the recent window."
        )
        self.psi_max = registry.gauge(
            "ingest_feature_psi_max", "Largest feature PSI of the accepted-record window."
        )
        self._recent: deque[bool] = deque(maxlen=window)
        self._drift = RollingDrift(profile, drift_window)
        for check in ("quarantine_rate", "feature_drift"):
            self._set(check, False)

    def _set(self, check: str, firing: bool) -> None:
        self.alert.set(check, self.instance, value=1.0 if firing else 0.0)

    def observe(self, outcomes: list[bool], accepted: list[dict[str, Any]]) -> None:
        """Add one request: per line True when quarantined; the accepted records' features."""
        self._recent.extend(outcomes)
        share = sum(self._recent) / len(self._recent) if self._recent else 0.0
        self.rate.set(value=round(share, 6))
        full = len(self._recent) == self._recent.maxlen
        self._set("quarantine_rate", full and share >= QUARANTINE_ALERT)
        if accepted:
            rows = np.array([[rec[n] for n in FEATURE_NAMES] for rec in accepted], np.float64)
            self._drift.add(rows)
            self.psi_max.set(value=round(self._drift.psi_max(), 6))
            self._set("feature_drift", self._drift.firing)
