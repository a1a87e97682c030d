"""The run clock: seconds since run start (the moment the load begins)."""

from __future__ import annotations

import time


class RunClock:
    """Callable clock; `t0` is set once the stack is up and the load is about to begin."""

    def __init__(self) -> None:
        self.t0 = time.time()

    def start_at(self, t0_epoch: float) -> None:
        """Make `t0_epoch` (a time.time() value) the run's time zero."""
        self.t0 = t0_epoch

    def __call__(self) -> float:
        return time.time() - self.t0
