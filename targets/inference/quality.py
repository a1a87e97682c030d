"""Inference quality alerts: feature drift of scored rows and a recently rejected registry model."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import numpy as np

from targets.common.drift import RollingDrift
from targets.common.metrics import Registry

__all__ = ["QualityChecks"]


class QualityChecks:
    """Keep `quality_alert{check,instance}` current for feature_drift and model_rejected.

    Requests only append their rows to a buffer (well under a microsecond); binning and PSI run
    on a timer every `tick_s`, so the cost per request stays flat whatever the request rate."""

    def __init__(
        self,
        registry: Registry,
        instance: str,
        profile: dict[str, Any] | None,
        window: int = 200,
        hold_s: float = 10.0,
        tick_s: float = 0.2,
    ) -> None:
        self.instance = instance
        self.hold_s = hold_s
        self.tick_s = tick_s
        self.alert = registry.gauge(
            "quality_alert", "1 while a data or model quality check fires.", ("check", "instance")
        )
        self.psi_max = registry.gauge(
            "inference_feature_psi_max", "Largest feature PSI of the scored-row window."
        )
        self._drift = RollingDrift(profile, window) if profile is not None else None
        self._pending: list[np.ndarray] = []
        self._pending_rows = 0
        self._rejected_at: float | None = None
        self._set("model_rejected", False)
        if self._drift is not None:
            self._set("feature_drift", False)

    def _set(self, check: str, firing: bool) -> None:
        self.alert.set(check, self.instance, value=1.0 if firing else 0.0)

    def observe(self, X: np.ndarray) -> None:
        """Queue scored rows for the drift check (no-op without a profile)."""
        if self._drift is None:
            return
        self._pending.append(X)
        self._pending_rows += len(X)
        if self._pending_rows > 2 * self._drift.window:
            # Only the newest `window` rows can matter: keep the buffer bounded between ticks.
            kept = np.concatenate(self._pending)[-self._drift.window :]
            self._pending, self._pending_rows = [kept], len(kept)

    def model_rejected(self) -> None:
        """Raise the model_rejected alert for `hold_s` from now."""
        self._rejected_at = time.monotonic()
        self._set("model_rejected", True)

    def tick(self) -> None:
        """Bin the queued rows, recompute the PSI gauge and both alerts."""
        if self._rejected_at is not None and time.monotonic() - self._rejected_at >= self.hold_s:
            self._rejected_at = None
            self._set("model_rejected", False)
        if self._drift is None or not self._pending:
            return
        self._drift.add(np.concatenate(self._pending))
        self._pending, self._pending_rows = [], 0
        psi_max = self._drift.psi_max()
        self.psi_max.set(value=round(psi_max, 6))
        self._set("feature_drift", self._drift.full and psi_max >= self._drift.threshold)

    async def run(self) -> None:
        """Tick every `tick_s` until cancelled."""
        while True:
            await asyncio.sleep(self.tick_s)
            self.tick()
