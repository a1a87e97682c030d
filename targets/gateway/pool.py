"""Upstream instances and their health: active-check counters and passive ejection."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from targets.gateway.config import GatewayConfig, HealthCheckConfig

__all__ = ["Instance", "Pool"]


@dataclass
class Instance:
    """One upstream and what the gateway knows about it; starts healthy (the harness gates it)."""

    id: str
    url: str
    region: str
    healthy: bool = True
    consecutive_failures: int = 0
    consecutive_successes: int = 0
    unhealthy_reason: str | None = None
    last_error: str | None = None
    ejections: int = 0
    requests_ok: int = 0
    requests_failed: int = 0
    changed_at: float | None = None
    health_path: str = "/readyz"
    health_status: int = 200

    def record_check(self, ok: bool, error: str | None, hc: HealthCheckConfig) -> bool:
        """Count one active check result; return True when the healthy flag flipped."""
        if ok:
            self.consecutive_successes += 1
            self.consecutive_failures = 0
            if not self.healthy and self.consecutive_successes >= hc.healthy_threshold:
                return self._set(True, None)
            return False
        self.consecutive_failures += 1
        self.consecutive_successes = 0
        self.last_error = error
        if self.healthy and self.consecutive_failures >= hc.unhealthy_threshold:
            return self._set(False, "health_check")
        return False

    def eject(self, error: str) -> bool:
        """Mark unhealthy at once after a failed request; return True when it was healthy."""
        self.last_error = error
        # Active checks must now see a full run of successes before traffic returns.
        self.consecutive_successes = 0
        if not self.healthy:
            return False
        self.ejections += 1
        return self._set(False, "ejected")

    def _set(self, healthy: bool, reason: str | None) -> bool:
        self.healthy = healthy
        self.unhealthy_reason = reason
        self.changed_at = time.time()
        return True

    def snapshot(self) -> dict[str, Any]:
        """Return the JSON view used by /state."""
        return {
            "id": self.id,
            "url": self.url,
            "region": self.region,
            "healthy": self.healthy,
            "consecutive_failures": self.consecutive_failures,
            "consecutive_successes": self.consecutive_successes,
            "unhealthy_reason": self.unhealthy_reason,
            "last_error": self.last_error,
            "ejections": self.ejections,
            "requests_ok": self.requests_ok,
            "requests_failed": self.requests_failed,
            "changed_at": self.changed_at,
            "health_path": self.health_path,
        }


class Pool:
    """All instances grouped by region, regions in priority order."""

    def __init__(self, config: GatewayConfig) -> None:
        self.regions: dict[str, list[Instance]] = {
            r.name: [
                Instance(
                    i.id, i.url, r.name, health_path=i.health_path, health_status=i.health_status
                )
                for i in r.instances
            ]
            for r in config.regions
        }
        self.instances: list[Instance] = [i for group in self.regions.values() for i in group]

    @property
    def region_names(self) -> list[str]:
        """Return region names in priority order."""
        return list(self.regions)

    def healthy_in(self, region: str) -> list[Instance]:
        """Return the healthy instances of one region, in config order."""
        return [i for i in self.regions[region] if i.healthy]

    def healthy(self) -> list[Instance]:
        """Return every healthy instance, regions in priority order."""
        return [i for i in self.instances if i.healthy]
