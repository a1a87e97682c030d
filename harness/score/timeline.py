"""Timeline bins for the report chart: success ratio, p99 latency and accuracy over time."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from harness.load.samples import Sample
from harness.results import TimelineBin
from harness.score.stats import summarize

TARGET_BINS = 120


def bin_width(duration_s: float) -> float:
    """A round bin width giving about TARGET_BINS bins (at least 50 ms)."""
    raw = max(duration_s / TARGET_BINS, 0.05)
    magnitude = 10 ** math.floor(math.log10(raw))
    return float(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))


def timeline(samples: Sequence[Sample], duration_s: float) -> list[TimelineBin]:
    """Bins of `bin_width(duration_s)` from 0 to the end of the run, by request start time."""
    width = bin_width(duration_s)
    count = max(1, math.ceil(duration_s / width - 1e-9))
    buckets: list[list[Sample]] = [[] for _ in range(count)]
    for s in samples:
        index = int(s.t_start // width)
        if 0 <= index < count:
            buckets[index].append(s)
    return [_bin(i * width, (i + 1) * width, b) for i, b in enumerate(buckets)]


def _bin(start: float, end: float, samples: list[Sample]) -> TimelineBin:
    st = summarize(samples)
    return TimelineBin(
        t_start=round(start, 6),
        t_end=round(end, 6),
        requests=st.requests,
        success_ratio=st.availability,
        p99_ms=st.p99_ms,
        accuracy=st.accuracy,
        model_versions=dict(Counter(s.model_version for s in samples if s.model_version)),
    )
