"""Recovery time on constructed sample streams with known answers."""

from __future__ import annotations

import pytest

from harness.load.samples import Sample
from harness.score.recovery import WindowCondition, time_to_recover

RATE = 50.0


def stream(
    duration: float,
    bad: list[tuple[float, float]],
    latency_ms: float = 5.0,
    slow: list[tuple[float, float]] = (),
) -> list[Sample]:
    """Requests every 1/RATE s; those starting inside a `bad` span fail, inside `slow` are slow."""
    out = []
    for i in range(int(duration * RATE)):
        t = i / RATE
        ok = not any(a <= t < b for a, b in bad)
        lat = 400.0 if any(a <= t < b for a, b in slow) else latency_ms
        out.append(
            Sample(
                t_start=t, t_end=t + lat / 1000, ok=ok, status=200 if ok else 503, latency_ms=lat
            )
        )
    return out


def test_never_broke_is_zero() -> None:
    assert time_to_recover(stream(30, []), 10.0, 5.0, WindowCondition()) == 0.0


def test_never_recovered_is_none() -> None:
    assert time_to_recover(stream(30, [(10, 30)]), 10.0, 5.0, WindowCondition()) is None


def test_recovers_at_known_time() -> None:
    ttr = time_to_recover(stream(40, [(10, 17.3)]), 10.0, 5.0, WindowCondition())
    assert ttr == pytest.approx(7.3, abs=0.1)


def test_needs_a_whole_stabilisation_period() -> None:
    # back at 27 s but the run ends at 30 s: 3 s of good traffic is not 5 s of stability
    assert time_to_recover(stream(30, [(10, 27)]), 10.0, 5.0, WindowCondition()) is None


def test_flapping_counts_from_the_last_break() -> None:
    bad = [(10, 12), (13, 14), (15, 16.5)]
    ttr = time_to_recover(stream(40, bad), 10.0, 5.0, WindowCondition())
    assert ttr == pytest.approx(6.5, abs=0.1)


def test_tolerates_sparse_errors_within_the_ratio() -> None:
    samples = stream(40, [(10, 14)])
    samples = [
        s if i % 200 else Sample(s.t_start, s.t_end, False, 503, 5.0) for i, s in enumerate(samples)
    ]  # 0.5% background errors
    ttr = time_to_recover(samples, 10.0, 5.0, WindowCondition(min_success_ratio=0.99))
    assert ttr == pytest.approx(4.0, abs=0.1)


def test_latency_bound_counts_slow_requests_as_bad() -> None:
    samples = stream(40, [], slow=[(10, 18)])
    cond = WindowCondition(max_latency_ms=250)
    assert time_to_recover(samples, 10.0, 5.0, cond) == pytest.approx(8.0, abs=0.1)
    assert time_to_recover(samples, 10.0, 5.0, WindowCondition()) == 0.0
