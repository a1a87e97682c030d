"""Live progress on stderr: phase, faults, and the recent success ratio, so a person can watch."""

from __future__ import annotations

import sys
import threading
from collections import deque
from collections.abc import Callable
from typing import TextIO

from harness.events import (
    Event,
    FailoverSeen,
    FaultInjected,
    FaultReverted,
    InstanceHealthChanged,
    PhaseStarted,
)
from harness.load.samples import Sample


class Progress:
    """Prints one status line per period and one line per notable event."""

    def __init__(self, stream: TextIO = sys.stderr, quiet: bool = False) -> None:
        self.stream = stream
        self.quiet = quiet
        self.phase = "starting"
        self._recent: deque[Sample] = deque(maxlen=20000)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def say(self, message: str) -> None:
        """Print one line."""
        if not self.quiet:
            print(f"harness: {message}", file=self.stream, flush=True)

    def on_sample(self, sample: Sample) -> None:
        """Sample callback of the load runner."""
        with self._lock:
            self._recent.append(sample)

    def on_event(self, event: Event) -> None:
        """Event-log subscriber: phases, faults and failovers get a line each."""
        if isinstance(event, PhaseStarted):
            self.phase = event.phase
        if isinstance(
            event,
            PhaseStarted | FaultInjected | FaultReverted | FailoverSeen | InstanceHealthChanged,
        ):
            self.say(f"[{event.t:7.2f}s] {event.message()}")

    def start(self, clock: Callable[[], float], period_s: float) -> None:
        """Print a status line every `period_s` seconds until stop()."""
        self._thread = threading.Thread(target=self._loop, args=(clock, period_s), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the status lines."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _loop(self, clock: Callable[[], float], period_s: float) -> None:
        while not self._stop.wait(period_s):
            now = clock()
            if now < 0:  # the load has not started yet
                continue
            with self._lock:
                window = [s for s in self._recent if s.t_end >= now - period_s]
            ok = sum(s.ok for s in window)
            ratio = f"{100 * ok / len(window):6.2f}%" if window else "   n/a"
            self.say(f"[{now:7.2f}s] {self.phase:<8} success {ratio} of {len(window)} requests")
