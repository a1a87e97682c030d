"""Recovery time on constructed sample streams with known answers (availability and accuracy)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from harness.load.samples import Sample
from harness.score.recovery import (
    NEVER,
    Z_BOUND,
    Z_POWER,
    AccuracyBar,
    Recovery,
    WindowCondition,
    labelled_needed,
    recovery,
    time_to_recover,
    wilson_lower,
)

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


# Data faults: accuracy. Constructed streams at the load's 40 req/s, each answer right with
# the probability of its stretch; a request in a corruption window carries the fault's name.
LOAD_RATE = 40
BASELINE_ACCURACY = 0.883  # the reference stack's, on clean rows (corrupted-data.yaml)
DROP = 0.08  # corrupted-data.yaml's scoring.accuracy_drop


def answers(
    duration: float,
    seed: int,
    stretches: Sequence[tuple[str | None, float, float, float]],
    base: float = BASELINE_ACCURACY,
) -> list[Sample]:
    """(corruption name or None, start, end, accuracy): right answers drawn per request."""
    g = np.random.default_rng(seed)
    out = []
    for i in range(int(duration * LOAD_RATE)):
        t = i / LOAD_RATE
        name, accuracy = None, base
        for n, a, b, p in stretches:
            if a <= t < b:
                name, accuracy = n, p
        right = bool(g.random() < accuracy)
        out.append(
            Sample(t, t + 0.01, True, 200, 5.0, predicted=int(right), label=1, correct=right,
                   corruption=name)
        )  # fmt: skip
    return out


def bar_of(samples: Sequence[Sample], baseline_end: float, fault: str | None) -> WindowCondition:
    judged = [s.correct for s in samples if s.t_start < baseline_end]
    baseline = sum(judged) / len(judged)
    return WindowCondition(accuracy=AccuracyBar.from_baseline(baseline, DROP, fault))


def corrupted_data(scale: float) -> list[tuple[str | None, float, float, float]]:
    """corrupted-data.yaml's serving faults, with the accuracy each left on the reference stack."""
    faults = [
        ("unit-change-s1", 35, 0.788),
        ("unit-change-s3", 50, 0.65),
        ("unit-change-s5", 65, 0.40),
    ]
    return [(n, at * scale, (at + 10) * scale, acc) for n, at, acc in faults]


@pytest.mark.parametrize(("scale", "seeds"), [(0.25, 100), (1.0, 20)])
def test_an_unmitigated_corruption_recovers_at_its_end(scale: float, seeds: int) -> None:
    """Calibration: nothing repairs the answers, so each fault recovers when it ends."""
    duration, at_end, results = 10 * scale, 0, []
    for seed in range(seeds):
        samples = answers(160 * scale, seed, corrupted_data(scale))
        for name, start, _, _ in corrupted_data(scale):
            ttr = time_to_recover(samples, start, 10 * scale, bar_of(samples, 30 * scale, name))
            assert ttr is not None and ttr >= duration - 1e-9, (seed, name, ttr)  # never early
            at_end += ttr - duration <= 0.1
            results.append(ttr)
    # Late only when the baseline's own noise set the threshold high (at 0.25 it has 300 requests).
    assert at_end >= 0.95 * len(results), sorted(results)[-10:]


def test_a_window_straddling_the_end_does_not_pass_on_its_clean_half() -> None:
    # No noise at all: every 10th answer wrong in the baseline (0.9), half of them while
    # corrupted. A window half in the corruption averages 0.7, the threshold (0.9 - 0.08 = 0.82)
    # is met only by its clean half.
    samples = [
        Sample(t := i / LOAD_RATE, t + 0.01, True, 200, 5.0, label=1, predicted=1,
               correct=(i % 10 != 0) if not 20 <= t < 30 else i % 2 == 0,
               corruption="skew" if 20 <= t < 30 else None)
        for i in range(80 * LOAD_RATE)
    ]  # fmt: skip
    ttr = time_to_recover(samples, 20.0, 10.0, bar_of(samples, 20.0, "skew"))
    assert ttr == pytest.approx(10.0, abs=2 / LOAD_RATE)  # at the first right answer after it


def test_a_stack_that_repairs_corrupted_requests_recovers_before_the_corruption_ends() -> None:
    # 60 s of corrupted requests; from 10 s on the stack answers them as well as clean ones.
    for seed in range(5):
        samples = answers(140, seed, [("skew", 30, 40, 0.4), ("skew", 40, 90, BASELINE_ACCURACY)])
        ttr = time_to_recover(samples, 30.0, 10.0, bar_of(samples, 30.0, "skew"))
        assert ttr is not None and 9.5 <= ttr <= 10.5, (seed, ttr)  # the corruption lasts 60 s


def test_an_upstream_fault_that_marks_no_request_is_judged_on_the_answers() -> None:
    # A poisoned model served from 40 s to 60 s: no request shows it, only the answers do, and
    # sampling noise leaves where they came back uncertain by a second or two.
    for seed in range(10):
        samples = answers(140, seed, [(None, 40, 60, 0.6)])
        ttr = time_to_recover(samples, 40.0, 10.0, bar_of(samples, 30.0, "poison"))
        assert ttr is not None and 18.0 <= ttr <= 20.5, (seed, ttr)


def test_too_few_labelled_requests_left_is_not_recovered() -> None:
    samples = answers(40, 0, [("skew", 30, 35, 0.4)])  # 5 s after the end: 200 requests
    condition = bar_of(samples, 30.0, "skew")
    assert condition.accuracy is not None and condition.accuracy.labelled > 200
    assert time_to_recover(samples, 30.0, 2.5, condition) is None
    # ...and says it was not judged, which is not the same as "did not come back".
    assert recovery(samples, 30.0, 2.5, condition, ended_at=35.0) == Recovery(None, judged=False)


def test_a_stack_that_never_came_back_was_judged() -> None:
    # The corruption ends at 100 s, the answers stay wrong: 1,600 labelled requests say so.
    samples = answers(140, 0, [("skew", 30, 100, 0.4), (None, 100, 140, 0.4)])
    condition = bar_of(samples, 30.0, "skew")
    assert recovery(samples, 30.0, 10.0, condition, ended_at=100.0) == Recovery(None)
    # Few answers after the end, but clearly bad ones, are a verdict too.
    short = answers(104, 0, [("skew", 30, 100, 0.4), (None, 100, 104, 0.4)])
    assert recovery(short, 30.0, 2.5, bar_of(short, 30.0, "skew"), 100.0) == Recovery(None)


def test_labelled_needed_is_the_fewest_that_clear_the_threshold_at_the_baseline() -> None:
    n = labelled_needed(BASELINE_ACCURACY, BASELINE_ACCURACY - DROP)
    z = Z_BOUND + Z_POWER
    assert wilson_lower(BASELINE_ACCURACY, n, z) >= BASELINE_ACCURACY - DROP
    assert wilson_lower(BASELINE_ACCURACY, n - 1, z) < BASELINE_ACCURACY - DROP
    assert labelled_needed(0.9, 0.9) == NEVER  # accuracy_drop 0: nothing can show it
    assert labelled_needed(0.9, 0.85) > labelled_needed(0.9, 0.8)  # a finer bar needs more


def test_wilson_bound_matches_the_textbook_values() -> None:
    # 95% Wilson interval of 8/10: (0.4902, 0.9433); of 0/20: lower bound 0.
    assert wilson_lower(0.8, 10) == pytest.approx(0.4902, abs=1e-4)
    assert wilson_lower(0.0, 20) == pytest.approx(0.0, abs=1e-12)
