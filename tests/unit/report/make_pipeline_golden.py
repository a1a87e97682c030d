"""Build the golden pipeline run (golden/pipeline.json): the sample run plus data faults,
a retrained model, drift, an integrity audit and replication lag.

After a deliberate change, regenerate with `.venv/bin/python tests/unit/report/make_pipeline_golden.py`.
`build_pipeline_results(minutes=10, bins=120, windows=30)` gives a long run for benchmarks.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from harness import events as ev
from harness.results import (
    Drift,
    DriftWindow,
    EventRecord,
    FaultResult,
    Integrity,
    LagSample,
    LostRecord,
    ModelUse,
    RegionIntegrity,
    Results,
    TimelineBin,
)

HERE = Path(__file__).parent
BASE = HERE / "golden" / "results.json"
GOLDEN = HERE / "golden" / "pipeline.json"
FEATURES = [
    "amount", "amount_to_avg_ratio", "hour_of_day", "merchant_risk", "account_age_days",
    "txn_count_1h", "txn_count_24h", "distinct_merchants_24h", "distance_from_home_km",
    "distance_from_last_txn_km", "device_age_days", "ip_risk", "card_present", "foreign_txn",
    "failed_logins_24h", "chargebacks_1y", "balance", "credit_utilization", "velocity_score",
    "email_age_days",
]  # fmt: skip
REGION_COLUMNS = (
    "region", "surviving", "objects", "present", "missing", "duplicated", "unexpected",
    "unreadable_lines",
)  # fmt: skip
V1 = "base-v1"
V2 = "retrain-1769681792123-3fa9c2e1b0d4"
V3 = "retrain-1769681831004-77d0be91aa20"  # rejected: it never serves
RETRAIN = "pipeline-us-east-1-0"  # the instance whose retrain job reports
SWAP = 0.55  # share of the run after which V2 serves everywhere (it rolls in over 4 %)


def _faults(end: float) -> list[FaultResult]:
    def fault(
        name: str, kind: str, target: str, at: float, until: float, **kw: object
    ) -> dict[str, object]:
        phrase = str(kw.get("phrase", f"on {target}"))
        return {"name": name, "kind": kind, "target": target, "target_phrase": phrase,
                "injected_at": at,
                "reverted_at": until, "time_to_recover_s": kw.get("ttr"),
                "recovered": kw.get("ttr") is not None, "requests": int((until - at) * 40),
                "errors": int(kw.get("errors", 0)), "availability": kw.get("avail", 1.0),
                "p99_ms": 48.2, "accuracy": kw.get("acc", 0.9), "time_to_detect_s": kw.get("ttd"),
                "detected_by": kw.get("by")}  # fmt: skip

    rows = [
        fault("skewed-features", "corrupt_data", "serving", end * 0.15, end * 0.3, ttr=9.5,
              phrase="on serving requests (feature rows sent to the gateway)",
              acc=0.71, ttd=4.1, by="inference-us-east-1-0: quality alert drift firing"),
        fault("primary-region-down", "region_outage", "region us-east-1", end * 0.33, end * 0.83,
              ttr=4.61, errors=101, avail=0.9572, ttd=3.28,
              by="gateway failover us-east-1 → eu-west-1"),
        fault("replication-cut", "partition", "us-east-1 and eu-west-1", end * 0.6, end * 0.72,
              phrase="between us-east-1 and eu-west-1"),
    ]  # fmt: skip
    return [FaultResult.model_validate(r) for r in rows]


def _bins(base: Results, count: int, end: float) -> list[TimelineBin]:
    width = end / count
    rng = random.Random(7)
    bins = []
    for i in range(count):
        proto = base.timeline[i * len(base.timeline) // count]
        t0 = i * width
        share_v2 = min(1.0, max(0.0, (t0 / end - SWAP) / 0.04))
        requests = proto.requests
        versions = {V1: round(requests * (1 - share_v2)), V2: round(requests * share_v2)}
        acc = proto.accuracy
        if acc is not None and 0.15 * end <= t0 < 0.3 * end:
            acc = round(0.62 + rng.uniform(0, 0.1), 4)  # skewed rows fool the model
        bins.append(
            proto.model_copy(
                update={
                    "t_start": round(t0, 3),
                    "t_end": round(t0 + width, 3),
                    "accuracy": acc,
                    "model_versions": {k: v for k, v in versions.items() if v},
                }
            )
        )
    return bins


def _events(end: float) -> list[EventRecord]:
    swap = round(end * SWAP, 2)
    alert = "inference-us-east-1-0"
    made = [
        ev.DataCorrupted(end * 0.155, fault="skewed-features", where="serving",
                         detail="scaling, severity 3, 30% of rows"),
        ev.QualityAlert(end * 0.19, instance=alert, check="drift", firing=True),
        ev.QualityAlert(end * 0.35, instance=alert, check="drift", firing=False),
        ev.ModelRetrained(end * 0.5, instance=RETRAIN, outcome="promoted", trigger="drift",
                          candidate_version=V2, candidate_accuracy=0.931, serving_accuracy=0.902),
        ev.ModelSwapped(swap, instance="inference-eu-west-1-0", model_version=V2),
        ev.ModelRetrained(end * 0.78, instance=RETRAIN, outcome="rejected", trigger="schedule",
                          candidate_version=V3, candidate_accuracy=0.874, serving_accuracy=0.931,
                          reason="below serving"),
        ev.ModelRejected(end * 0.8, instance="inference-us-east-1-1", reason="checksum mismatch"),
    ]  # fmt: skip
    return [EventRecord.model_validate(e.to_record()) for e in made]


def _drift(end: float, windows: int, features: list[str]) -> Drift:
    width = end / windows
    wins = [
        DriftWindow(index=i, start_s=round(i * width, 3), end_s=round((i + 1) * width, 3))
        for i in range(windows)
    ]
    psi: list[list[float | None]] = []
    ks: list[list[float | None]] = []
    nonfinite: list[list[float]] = []
    for f, _ in enumerate(features):
        row_psi: list[float | None] = []
        row_ks: list[float | None] = []
        row_nf: list[float] = []
        for w in wins:
            mid = (w.start_s + w.end_s) / 2 / end
            skewed = 0.15 <= mid < 0.3 and f % 3 == 0
            value = (
                (0.05 + 0.4 * f / len(features)) if skewed else 0.01 + 0.012 * ((f * w.index) % 9)
            )
            empty = 0.33 <= mid < 0.4  # the outage leaves a window with too few rows
            row_psi.append(None if empty else round(value, 4))
            row_ks.append(None if empty else (0.001 if value >= 0.1 else round(0.2 + mid / 2, 3)))
            row_nf.append(0.12 if skewed and f == 0 else 0.0)
        psi.append(row_psi)
        ks.append(row_ks)
        nonfinite.append(row_nf)
    return Drift(
        window_s=round(width, 3),
        features=features,
        windows=wins,
        psi=psi,
        ks_pvalue=ks,
        nonfinite_share=nonfinite,
    )


def _integrity(end: float) -> Integrity:
    lost = [
        LostRecord(id=f"rec-{40211 + i:06d}", region="us-east-1", t_ack=round(end * 0.33 - 2.4 + i * 0.05, 3),
                   age_s=round(2.4 - i * 0.05, 3))
        for i in range(27)
    ]  # fmt: skip
    return Integrity(
        audited_at_s=round(end + 4.2, 3),
        records_sent=6000,
        records_acked=5874,
        records_quarantined=126,
        records_lost=27,
        records_duplicated=3,
        records_unexpected=0,
        rpo_s=2.4,
        lost=lost,
        regions=[
            RegionIntegrity.model_validate(dict(zip(REGION_COLUMNS, row, strict=True)))
            for row in (
                ("us-east-1", False, 0, 0, 0, 0, 0, 0),
                ("eu-west-1", True, 412, 5847, 27, 3, 0, 2),
            )
        ],
        feed_failed_requests=14,
        feed_failovers=1,
        quarantine_reasons={"nonfinite": 98, "schema": 28},
    )


def _lag(end: float) -> list[LagSample]:
    samples = []
    for i in range(0, int(end)):
        t = float(i)
        cut = end * 0.6 <= t < end * 0.72
        for name, phase in (("replicator-us-east-1", 0.0), ("replicator-eu-west-1", 1.3)):
            lag = (t - end * 0.6 + 0.4) if cut else 0.3 + 0.2 * math.sin(t / 5 + phase)
            samples.append(LagSample(t=t, instance=name, lag_s=round(lag, 3),
                                     pending=float(round(lag * 40))))  # fmt: skip
    return samples


def build_pipeline_results(minutes: float = 2.0, bins: int = 120, windows: int = 12) -> Results:
    """Build the pipeline sample run deterministically from the golden sample run."""
    base = Results.model_validate_json(BASE.read_text(encoding="utf-8"))
    end = minutes * 60
    timeline = _bins(base, bins, end)
    return base.model_copy(
        update={
            "run_id": "pipeline-retrain-20260129-101500-c3d4",
            "faults": _faults(end),
            "timeline": timeline,
            "events": sorted([*base.events, *_events(end)], key=lambda e: e.t),
            "models": [
                ModelUse(
                    version=V1,
                    first_s=0.0,
                    last_s=round(end * (SWAP + 0.04), 3),
                    requests=2800,
                    accuracy=0.8874,
                ),
                ModelUse(
                    version=V2,
                    first_s=round(end * SWAP, 3),
                    last_s=round(end - 0.1, 3),
                    requests=1960,
                    accuracy=0.9261,
                ),
            ],
            "integrity": _integrity(end),
            "drift": _drift(end, windows, FEATURES),
            "replication_lag": _lag(end),
        }
    )


if __name__ == "__main__":
    GOLDEN.write_text(build_pipeline_results().model_dump_json(indent=2) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
