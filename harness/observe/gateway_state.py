"""Watch the gateway's /state and record a FailoverSeen event when its active region changes."""

from __future__ import annotations

import threading
from collections.abc import Callable

import requests

from harness.events import EventLog, FailoverSeen


class GatewayWatcher:
    """Polls GET {gateway}/state in a thread; `active_region` is the last one seen."""

    def __init__(self, gateway_url: str, events: EventLog, clock: Callable[[], float],
                 interval_s: float = 0.1) -> None:
        self.url = gateway_url + "/state"
        self.events = events
        self.clock = clock
        self.interval_s = interval_s
        self.active_region: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="gateway-watcher", daemon=True)
        self._session = requests.Session()

    def start(self) -> None:
        """Read the initial state, then poll in the background."""
        self.active_region = self._read()
        self._thread.start()

    def stop(self) -> None:
        """Stop polling."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)
        self._session.close()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            region = self._read()
            if region is not None and region != self.active_region:
                self.events.emit(FailoverSeen(self.clock(), from_region=self.active_region,
                                              to_region=region))
                self.active_region = region

    def _read(self) -> str | None:
        try:
            state = self._session.get(self.url, timeout=0.5).json()
        except (requests.RequestException, ValueError):
            return None
        region = state.get("active_region")
        return str(region) if region else None
