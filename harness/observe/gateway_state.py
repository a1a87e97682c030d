"""Watch the gateway's /state: record failovers and instances it stops or starts routing to."""

from __future__ import annotations

import threading
from typing import Any

import requests

from harness.clock import RunClock
from harness.events import EventLog, FailoverSeen, InstanceHealthChanged


class GatewayWatcher:
    """Polls GET {gateway}/state in a thread and turns changes into events."""

    def __init__(
        self, gateway_url: str, events: EventLog, clock: RunClock, interval_s: float = 0.1
    ) -> None:
        self.url = gateway_url + "/state"
        self.events = events
        self.clock = clock
        self.interval_s = interval_s
        self._failovers_seen = 0
        self._healthy: dict[str, bool] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="gateway-watcher", daemon=True)
        self._session = requests.Session()

    def start(self) -> None:
        """Take the current state as the starting point, then poll in the background."""
        state = self._read()
        if state is not None:
            self._failovers_seen = len(state.get("failovers", []))
            self._healthy = _health(state)
        self._thread.start()

    def stop(self) -> None:
        """Stop polling."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)
        self._session.close()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            state = self._read()
            if state is not None:
                self._failovers(state.get("failovers", []))
                self._health_changes(_health(state))

    def _failovers(self, failovers: list[dict[str, Any]]) -> None:
        # The gateway stamps each failover itself; polling only finds out later.
        for entry in failovers[self._failovers_seen :]:
            t = float(entry["t"]) - self.clock.t0 if "t" in entry else self.clock()
            self.events.emit(
                FailoverSeen(t, from_region=entry.get("from"), to_region=entry.get("to"))
            )
        self._failovers_seen = max(self._failovers_seen, len(failovers))

    def _health_changes(self, healthy: dict[str, bool]) -> None:
        for instance, now in healthy.items():
            if self._healthy.get(instance, True) != now:
                self.events.emit(
                    InstanceHealthChanged(self.clock(), instance=instance, healthy=now)
                )
        self._healthy = healthy

    def _read(self) -> dict[str, Any] | None:
        try:
            state = self._session.get(self.url, timeout=0.5).json()
        except (requests.RequestException, ValueError):
            return None
        return state if isinstance(state, dict) else None


def _health(state: dict[str, Any]) -> dict[str, bool]:
    return {
        inst["id"]: bool(inst["healthy"])
        for region in state.get("regions", [])
        for inst in region.get("instances", [])
    }
