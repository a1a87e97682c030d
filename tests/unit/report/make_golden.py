"""Build the golden sample run (golden/results.json): 120 s with a regional outage at 40–100 s.

After a deliberate change, regenerate with `.venv/bin/python tests/unit/report/make_golden.py`.
"""

from __future__ import annotations

import random
from pathlib import Path

from harness import events as ev
from harness.results import (
    EventRecord,
    FaultResult,
    PhaseResult,
    Results,
    ScenarioInfo,
    SloResult,
    TimelineBin,
    Totals,
    Verdict,
)

GOLDEN = Path(__file__).parent / "golden" / "results.json"
RATE = 40

SCENARIO = GOLDEN.parent / "scenario.yaml"  # the scenario text; it has a URL in a comment

# t -> (success ratio, p99 ms, accuracy); None = no samples (or no labelled answers) in the bin.
_SPECIAL: dict[int, tuple[float | None, float | None, float | None]] = {
    40: (0.55, 1984.2, 0.9),
    41: (0.05, 1021.7, None),
    42: (0.125, 1010.3, 1.0),
    43: (None, None, None),
    44: (0.85, 640.8, 0.88),
    103: (0.95, 212.4, 0.9),
}


def _bin(t: int, rng: random.Random) -> TimelineBin:
    if t in _SPECIAL:
        ratio, p99, acc = _SPECIAL[t]
        requests = 0 if ratio is None else RATE
    else:
        in_outage = 45 <= t < 103
        ratio = 1.0 if rng.random() > 0.08 else 1 - 1 / RATE
        p99 = round(rng.uniform(82, 97) if in_outage else rng.uniform(38, 48), 1)
        acc = round(rng.uniform(0.86, 0.91) if in_outage else rng.uniform(0.90, 0.94), 4)
        requests = RATE
    return TimelineBin(
        t_start=float(t),
        t_end=float(t + 1),
        requests=requests,
        success_ratio=ratio,
        p99_ms=p99,
        accuracy=acc,
    )


def _errors(bins: list[TimelineBin]) -> int:
    return sum(round(b.requests * (1 - (b.success_ratio or 0))) for b in bins)


def _phase(
    name: str, start: int, end: int, bins: list[TimelineBin], pcts: tuple[float, float, float]
) -> PhaseResult:
    part = [b for b in bins if start <= b.t_start < end]
    requests = sum(b.requests for b in part)
    errors = _errors(part)
    accs = [b.accuracy for b in part if b.accuracy is not None]
    return PhaseResult(
        name=name,
        start_s=start,
        end_s=end,
        requests=requests,
        errors=errors,
        availability=round(1 - errors / requests, 6),
        p50_ms=pcts[0],
        p95_ms=pcts[1],
        p99_ms=pcts[2],
        accuracy=round(sum(accs) / len(accs), 4),
    )


def _events() -> list[EventRecord]:
    down, primary, standby = "primary-region-down", "us-east-1", "eu-west-1"
    made = [
        ev.PhaseStarted(0.0, phase="baseline"),
        ev.PhaseStarted(35.0, phase="fault"),
        ev.FaultInjected(40.02, fault=down, fault_kind="region_outage", target=f"region {primary}"),
        ev.InstanceKilled(40.03, instance="inference-us-east-1-0", signal="SIGKILL"),
        ev.InstanceKilled(40.04, instance="inference-us-east-1-1", signal="SIGKILL"),
        ev.FailoverSeen(43.3, from_region=primary, to_region=standby),
        ev.FaultReverted(100.05, fault=down),
        ev.InstanceStarted(101.21, instance="inference-us-east-1-0"),
        ev.InstanceStarted(101.37, instance="inference-us-east-1-1"),
        ev.FailoverSeen(103.4, from_region=standby, to_region=primary),
        ev.PhaseStarted(105.0, phase="recovery"),
    ]
    return [EventRecord.model_validate(e.to_record()) for e in made]


def _slos(phases: dict[str, PhaseResult]) -> list[SloResult]:
    base_acc = phases["baseline"].accuracy or 0.0
    return [
        SloResult(
            name="availability >= 95%",
            metric="availability",
            objective=">= 95%",
            threshold=0.95,
            unit="ratio",
            phase="overall",
            measured=phases["overall"].availability,
            passed=True,
        ),
        SloResult(
            name="recovery_time <= 3s",
            metric="recovery_time",
            objective="<= 3s",
            threshold=3.0,
            unit="s",
            phase="fault",
            measured=4.61,
            passed=False,
            detail="slowest fault: primary-region-down",
        ),
        SloResult(
            name="p99_latency <= 250ms",
            metric="p99_latency",
            objective="<= 250ms",
            threshold=250.0,
            unit="ms",
            phase="baseline",
            measured=phases["baseline"].p99_ms,
            passed=True,
        ),
        SloResult(
            name="accuracy >= 0.95x baseline",
            metric="accuracy",
            objective=">= 0.95x baseline",
            threshold=round(0.95 * base_acc, 4),
            unit="ratio",
            phase="fault",
            measured=phases["fault"].accuracy,
            passed=True,
        ),
    ]


def _fault(bins: list[TimelineBin]) -> FaultResult:
    during = [b for b in bins if 40 <= b.t_start < 100]
    requests = sum(b.requests for b in during)
    errors = _errors(during)
    return FaultResult(
        name="primary-region-down",
        kind="region_outage",
        target="region us-east-1",
        target_phrase="on region us-east-1",
        injected_at=40.02,
        reverted_at=100.05,
        time_to_detect_s=3.28,
        time_to_recover_s=4.61,
        recovered=True,
        requests=requests,
        errors=errors,
        availability=round(1 - errors / requests, 6),
        p99_ms=1012.6,
        accuracy=0.8893,
    )


def build_results() -> Results:
    """Build the sample run deterministically."""
    rng = random.Random(42)
    bins = [_bin(t, rng) for t in range(120)]
    phases = {
        p.name: p
        for p in [
            _phase("baseline", 0, 35, bins, (21.4, 36.9, 44.8)),
            _phase("fault", 35, 105, bins, (31.2, 88.5, 1003.9)),
            _phase("recovery", 105, 120, bins, (20.9, 37.3, 45.1)),
            _phase("overall", 0, 120, bins, (24.8, 84.2, 642.0)),
        ]
    }
    overall = phases["overall"]
    return Results(
        harness_version="0.1.0",
        run_id="regional-outage-20260129-101500-a1b2",
        scenario=ScenarioInfo(
            name="regional-outage",
            description=(
                "Two regions, active-passive. Every inference instance of the primary region "
                "(us-east-1) is killed for 60 s while labelled traffic flows; the gateway must "
                "fail over to eu-west-1 and fail back when the primary returns."
            ),
            file="scenarios/regional-outage.yaml",
            text=SCENARIO.read_text(encoding="utf-8"),
        ),
        backend="process",
        seed=42,
        time_scale=1.0,
        started_at="2026-01-29T10:15:00+00:00",
        duration_s=131.482,
        command="harness run scenarios/regional-outage.yaml --backend process --seed 42",
        complete=True,
        verdict=Verdict.FAIL,
        slos=_slos(phases),
        faults=[_fault(bins)],
        phases=list(phases.values()),
        totals=Totals(
            requests=overall.requests,
            errors=overall.errors,
            availability=overall.availability,
            accuracy=overall.accuracy,
        ),
        timeline=bins,
        events=_events(),
    )


if __name__ == "__main__":
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(build_results().model_dump_json(indent=2) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
