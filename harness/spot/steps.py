"""Actions due at given run times, run in order by one thread; a cancel skips those not yet due."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

# A step due this close to the cancel still runs: at a fault's planned end its last step (the
# termination) and the revert are due at the same moment, and the termination must win.
CANCEL_TOLERANCE_S = 0.25


class Steps:
    """A small timeline: `at(t, action)` several times, then `start()`; `cancel()` and `join()`."""

    def __init__(self, clock: Callable[[], float], name: str) -> None:
        self._clock = clock
        self._name = name
        self._steps: list[tuple[float, Callable[[], None]]] = []
        self._cancelled = threading.Event()
        self._cutoff = float("inf")
        self._thread: threading.Thread | None = None

    def at(self, t: float, action: Callable[[], None]) -> Steps:
        """Add `action`, due at run time `t`."""
        self._steps.append((t, action))
        return self

    def start(self) -> None:
        """Run the steps in time order in a daemon thread."""
        self._steps.sort(key=lambda s: s[0])
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Skip every step due later than now (plus a small tolerance)."""
        self._cutoff = self._clock()
        self._cancelled.set()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the running step (if any) and the thread to finish."""
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def done(self) -> bool:
        """True once every step ran or was skipped."""
        return self._thread is not None and not self._thread.is_alive()

    def _run(self) -> None:
        for t, action in self._steps:
            while (left := t - self._clock()) > 0 and not self._cancelled.is_set():
                self._cancelled.wait(min(left, 0.05))
            if t > self._cutoff + CANCEL_TOLERANCE_S:
                return
            while (left := t - self._clock()) > 0:  # cancelled with this step still due: wait
                threading.Event().wait(min(left, 0.05))
            try:
                action()
            except Exception:  # one failed step is logged; the run's revert path goes on
                log.exception("%s: a step failed", self._name)
