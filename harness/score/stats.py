"""Summary statistics of a set of samples: counts, availability, percentiles, accuracy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from harness.load.samples import Sample


@dataclass(frozen=True)
class SampleStats:
    """What a set of samples says; metrics are None when there is nothing to measure."""

    requests: int
    errors: int
    availability: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    accuracy: float | None


def summarize(samples: Sequence[Sample]) -> SampleStats:
    """Availability = success ratio; latency over successful requests; accuracy on labelled ones."""
    n = len(samples)
    errors = sum(1 for s in samples if not s.ok)
    p50, p95, p99 = percentiles([s.latency_ms for s in samples if s.ok], (50, 95, 99))
    return SampleStats(
        requests=n,
        errors=errors,
        availability=(n - errors) / n if n else None,
        p50_ms=p50,
        p95_ms=p95,
        p99_ms=p99,
        accuracy=accuracy(samples),
    )


def percentiles(values: Sequence[float], qs: Sequence[float]) -> list[float | None]:
    """Percentiles by linear interpolation (numpy's default); None for an empty input."""
    if not values:
        return [None for _ in qs]
    return [float(v) for v in np.percentile(np.asarray(values, dtype=float), qs)]


def accuracy(samples: Sequence[Sample]) -> float | None:
    """Share of correct predictions among successful labelled requests."""
    judged = [s.correct for s in samples if s.ok and s.correct is not None]
    return sum(judged) / len(judged) if judged else None


def between(samples: Sequence[Sample], start: float, end: float) -> list[Sample]:
    """Samples whose request started in [start, end)."""
    return [s for s in samples if start <= s.t_start < end]
