"""Recovery time of a fault: the one definition the README documents and the tests calibrate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.load.samples import Sample


@dataclass(frozen=True)
class WindowCondition:
    """The SLO window condition: enough good requests, each fast enough."""

    min_success_ratio: float = 0.99
    max_latency_ms: float | None = None
    min_accuracy: float | None = None  # data faults: the window's accuracy must be back too

    def good(self, sample: Sample) -> bool:
        """A request that succeeded within the latency bound."""
        if not sample.ok:
            return False
        return self.max_latency_ms is None or sample.latency_ms <= self.max_latency_ms

    def holds(self, samples: Sequence[Sample]) -> bool:
        """Whether the share of good requests meets the bound (vacuously true when empty)."""
        if not samples:
            return True
        good = sum(1 for s in samples if self.good(s))
        if good / len(samples) < self.min_success_ratio:
            return False
        if self.min_accuracy is None:
            return True
        labelled = [s.correct for s in samples if s.correct is not None]
        return not labelled or sum(labelled) / len(labelled) >= self.min_accuracy


def time_to_recover(
    samples: Sequence[Sample],
    injected_at: float,
    stabilisation_s: float,
    condition: WindowCondition,
) -> float | None:
    """Seconds from injection until the stack is healthy again and stays healthy.

    The stack is healthy from time t when the request that starts at t is good and the
    requests starting in [t, t + stabilisation_s] meet the window condition. The recovery
    time is the earliest such t after the injection, minus the injection time: 0 when the
    stack never broke, None when no such t exists with a whole stabilisation period of
    samples after it (the stack never came back before the run ended).
    """
    after = sorted((s for s in samples if s.t_start >= injected_at), key=lambda s: s.t_start)
    if not after:
        return None
    last_start = after[-1].t_start
    end = 0
    for i, first in enumerate(after):
        if first.t_start + stabilisation_s > last_start:
            return None
        if not condition.good(first):
            continue
        end = max(end, i)
        while end < len(after) and after[end].t_start <= first.t_start + stabilisation_s:
            end += 1
        if condition.holds(after[i:end]):
            return 0.0 if i == 0 else first.t_start - injected_at
    return None
