"""Recovery time of a fault: the one definition the README documents and the tests calibrate."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from harness.load.samples import Sample

Z_BOUND = 1.96  # the 95% Wilson score interval: its lower bound must clear the threshold
# Enough requests that a stack back at its baseline accuracy clears that bound with this many
# standard errors to spare (nominally 999 times in 1,000). With 1.645 (19 in 20), constructed
# runs at --time-scale 0.25 came back late in 6% of seeds: the baseline's own 300 requests set
# the threshold up to 2 points high, and a failed window is retried on nearly the same requests.
Z_POWER = 3.09
NEVER = 2**62  # labelled requests "needed" when no number suffices (threshold at the baseline)


def wilson_lower(share: float, n: int, z: float = Z_BOUND) -> float:
    """Lower bound of the Wilson score interval of a proportion `share` observed over `n` trials."""
    if n <= 0:
        return 0.0
    z2 = z * z
    centre = share + z2 / (2 * n)
    spread = z * math.sqrt(share * (1 - share) / n + z2 / (4 * n * n))
    return (centre - spread) / (1 + z2 / n)


def wilson_upper(share: np.ndarray, n: np.ndarray, z: float = Z_BOUND) -> np.ndarray:
    """Upper bounds of the Wilson score intervals of proportions `share` over `n` (> 0) trials."""
    z2 = z * z
    centre = share + z2 / (2 * n)
    spread = z * np.sqrt(share * (1 - share) / n + z2 / (4 * n * n))
    return np.asarray((centre + spread) / (1 + z2 / n))


def labelled_needed(baseline: float, threshold: float) -> int:
    """Fewest labelled requests on which a stack at `baseline` accuracy clears `threshold`.

    "Clears" with room for sampling noise: the Wilson bound at z = Z_BOUND + Z_POWER. NEVER
    when the threshold is not below the baseline (no amount of data shows it).
    """
    if threshold <= 0:
        return 1
    z = Z_BOUND + Z_POWER
    if threshold >= baseline:
        return NEVER
    high = 1
    while wilson_lower(baseline, high, z) < threshold:
        high *= 2
    low = high // 2  # fails (or is 0); high passes: the bound grows with n
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if wilson_lower(baseline, mid, z) >= threshold else (mid, high)
    return high


@dataclass(frozen=True)
class AccuracyBar:
    """What a data fault's windows must show of the stack's answers before it counts as recovered.

    `fault` names the corruption its requests carry (`Sample.corruption`), None when the fault
    marks no request (it acts upstream, on the pipeline).
    """

    threshold: float  # the baseline's accuracy less `scoring.accuracy_drop`
    labelled: int  # labelled requests to judge on (labelled_needed)
    fault: str | None = None

    @classmethod
    def from_baseline(cls, baseline: float, drop: float, fault: str | None = None) -> AccuracyBar:
        """The bar of a fault against the baseline phase's accuracy."""
        threshold = baseline - drop
        return cls(threshold, labelled_needed(baseline, threshold), fault)


@dataclass(frozen=True)
class WindowCondition:
    """The SLO window condition: enough good requests, each fast enough (and right, for data)."""

    min_success_ratio: float = 0.99
    max_latency_ms: float | None = None
    accuracy: AccuracyBar | None = None  # data faults: the answers must be back too

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
        return good / len(samples) >= self.min_success_ratio


class _Answers:
    """Running counts of the labelled requests after the injection, to judge any span in O(log n).

    A request that carried another fault's corruption is not counted: it measures that fault.
    """

    def __init__(self, after: Sequence[Sample], bar: AccuracyBar) -> None:
        self.bar = bar
        labelled = np.array([s.correct is not None for s in after], dtype=bool)
        right = np.array([bool(s.correct) for s in after], dtype=bool)
        clean = np.array([s.corruption is None for s in after], dtype=bool)
        mine = np.array(
            [s.corruption is not None and s.corruption == bar.fault for s in after], bool
        )
        counted = labelled & (clean | mine)
        self.n, self.right = _cumsum(counted), _cumsum(counted & right)
        self.mine_n, self.mine_right = _cumsum(counted & mine), _cumsum(counted & mine & right)

    def clear(self, i: int, end: int) -> bool | None:
        """Whether the answers from request i on clear the bar; None: too few are left to judge.

        Judged on the requests i..end (the stabilisation window), and on more after it until
        `bar.labelled` are counted.
        """
        need = self.n[i] + self.bar.labelled
        if self.n[-1] < need:
            return None
        stop = max(end, int(np.searchsorted(self.n, need, side="left")))
        if not self._clears(self.n, self.right, i, stop, Z_BOUND) or self._dips(i, stop):
            return False
        # Requests that still carry this fault's corruption from i on count as recovered only
        # when they show it by themselves (the stack repairs them), all of them, on at least as
        # many requests and with the margin the count is sized for: a straddling window must
        # not pass on its clean half, nor a corrupted stretch on sampling noise.
        last = len(self.n) - 1
        carried = int(self.mine_n[last] - self.mine_n[i])
        return not carried or (
            carried >= self.bar.labelled
            and self._clears(self.mine_n, self.mine_right, i, last, Z_BOUND + Z_POWER)
        )

    def judgeable(self, i: int) -> bool:
        """Whether the answers from request i on (the fault ended there) allow a verdict.

        They do when there are enough of them, or when they fall clearly short of the bar (the
        upper bound of their Wilson interval under the threshold): few and clearly bad is "did
        not recover"; few and possibly good is "not judged".
        """
        total = int(self.n[-1] - self.n[i])
        if total >= self.bar.labelled:
            return True
        if total == 0:
            return False
        share = (self.right[-1] - self.right[i]) / total
        upper = wilson_upper(np.array([share]), np.array([total]))
        return bool(upper[0] < self.bar.threshold)

    def _dips(self, i: int, stop: int) -> bool:
        """Whether the answers from request i on start with a stretch clearly below the bar.

        Clearly: the upper bound of its Wilson interval is under the threshold. Without this, a
        long span absorbs a short bad start on its margin (a tail of the fault's effect).
        """
        n = self.n[i + 1 : stop + 1] - self.n[i]
        right = self.right[i + 1 : stop + 1] - self.right[i]
        judged = n > 0
        return bool(np.any(wilson_upper(right[judged] / n[judged], n[judged]) < self.bar.threshold))

    def _clears(self, n: np.ndarray, right: np.ndarray, i: int, stop: int, z: float) -> bool:
        total = int(n[stop] - n[i])
        share = (right[stop] - right[i]) / total if total else 0.0
        return total > 0 and wilson_lower(share, total, z) >= self.bar.threshold


def _cumsum(flags: np.ndarray) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(flags, dtype=np.int64)))


@dataclass(frozen=True)
class Recovery:
    """When the stack was healthy again after a fault, or why no time can be given."""

    seconds: float | None  # since the injection; None: not recovered, or not judged
    judged: bool = True  # False: too few labelled requests were left to judge accuracy


def time_to_recover(
    samples: Sequence[Sample],
    injected_at: float,
    stabilisation_s: float,
    condition: WindowCondition,
) -> float | None:
    """Seconds from injection until the stack is healthy again (`recovery(...).seconds`)."""
    return recovery(samples, injected_at, stabilisation_s, condition).seconds


def recovery(
    samples: Sequence[Sample],
    injected_at: float,
    stabilisation_s: float,
    condition: WindowCondition,
    ended_at: float | None = None,
) -> Recovery:
    """Seconds from injection until the stack is healthy again and stays healthy.

    The stack is healthy from time t when the request that starts at t is good and the
    requests starting in [t, t + stabilisation_s] meet the window condition; for a data fault
    (`condition.accuracy`), the answers from t on must also clear its bar (see `_Answers`).
    The recovery time is the earliest such t after the injection, minus the injection time:
    0 when the stack never broke, None when no such t exists with a whole stabilisation period
    of samples (and, for a data fault, enough labelled requests) after it.
    """
    after = sorted((s for s in samples if s.t_start >= injected_at), key=lambda s: s.t_start)
    if not after:
        return Recovery(None)
    answers = _Answers(after, condition.accuracy) if condition.accuracy is not None else None
    last_start = after[-1].t_start
    end = 0
    for i, first in enumerate(after):
        if first.t_start + stabilisation_s > last_start:
            return Recovery(None)
        if not condition.good(first):
            continue
        end = max(end, i)
        while end < len(after) and after[end].t_start <= first.t_start + stabilisation_s:
            end += 1
        if not condition.holds(after[i:end]):
            continue
        verdict = True if answers is None else answers.clear(i, end)
        if verdict is None:
            # Fewer labelled requests are left than a verdict needs. If the answers after the
            # fault's end are too few too, and not clearly bad, no one can tell it came back.
            assert answers is not None
            if ended_at is None:
                return Recovery(None)
            k = next((j for j, s in enumerate(after) if s.t_start >= ended_at), len(after))
            return Recovery(None, judged=answers.judgeable(k))
        if verdict:
            return Recovery(0.0 if i == 0 else first.t_start - injected_at)
    return Recovery(None)
