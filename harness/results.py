"""The results contract (results.json): what a run measured, as pydantic models."""

from __future__ import annotations

import enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1


class Verdict(enum.StrEnum):
    """Outcome of a run or of one SLO."""

    PASS = "pass"
    FAIL = "fail"
    INCOMPLETE = "incomplete"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScenarioInfo(_Model):
    """The scenario as run."""

    name: str
    description: str = ""
    file: str
    text: str = Field(description="the YAML file's text, as run")


class SloResult(_Model):
    """One objective and what was measured against it."""

    name: str
    metric: str
    objective: str = Field(description="as written in the scenario, e.g. '<= 2x baseline'")
    threshold: float | None = Field(description="the bound after resolving relative objectives")
    unit: str
    phase: str
    measured: float | None
    passed: bool
    detail: str = ""


class FaultResult(_Model):
    """One fault of the schedule and how the stack fared during and after it."""

    name: str
    kind: str
    target: str
    target_phrase: str = Field("", description="the target as the report words it: 'on …'")
    injected_at: float | None
    inject_error: str | None = Field(
        None, description="its inject raised, perhaps after acting on part of its target"
    )
    reverted_at: float | None
    time_to_detect_s: float | None = None
    detected_by: str | None = Field(None, description="what noticed first: a failover, an alert")
    time_to_recover_s: float | None
    recovered: bool
    recovery_judged: bool = Field(
        True, description="false: too few labelled requests were left to judge accuracy"
    )
    requests: int
    errors: int
    availability: float | None
    p99_ms: float | None
    accuracy: float | None


class PhaseResult(_Model):
    """Scores of one phase (baseline, fault, recovery) or of the whole run ('overall')."""

    name: str
    start_s: float
    end_s: float
    requests: int
    errors: int
    availability: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    accuracy: float | None


class Totals(_Model):
    """Whole-run counts."""

    requests: int
    errors: int
    availability: float | None
    accuracy: float | None
    records_sent: int = 0
    records_lost: int = 0
    records_duplicated: int = 0


class TimelineBin(_Model):
    """One bin of the timeline chart; metrics are None when the bin has no samples."""

    t_start: float
    t_end: float
    requests: int
    success_ratio: float | None
    p99_ms: float | None
    accuracy: float | None
    model_versions: dict[str, int] = Field(
        default_factory=dict, description="requests answered by each model version in the bin"
    )


class ModelUse(_Model):
    """One model version as the load saw it: when it served, how much, how accurately."""

    version: str
    first_s: float
    last_s: float
    requests: int
    accuracy: float | None


class LostRecord(_Model):
    """An acknowledged record missing from a surviving region's store."""

    id: str
    region: str = Field(description="the region that acknowledged it")
    t_ack: float
    age_s: float = Field(description="its age when its region was lost (or at the audit)")


class RegionIntegrity(_Model):
    """What one region's store held at the audit."""

    region: str
    surviving: bool
    objects: int
    present: int
    missing: int
    duplicated: int
    unexpected: int
    unreadable_lines: int


class Integrity(_Model):
    """The data-integrity audit: every acknowledged record in every surviving store, once."""

    audited_at_s: float | None
    records_sent: int
    records_acked: int
    records_quarantined: int
    records_lost: int
    records_duplicated: int
    records_unexpected: int
    rpo_s: float | None = Field(description="age of the oldest lost record; 0 when none is lost")
    lost: list[LostRecord] = Field(description="the oldest lost records (at most 200)")
    regions: list[RegionIntegrity]
    feed_failed_requests: int = 0
    feed_failovers: int = 0
    quarantine_reasons: dict[str, int] = Field(default_factory=dict)
    error: str | None = None


class DriftWindow(_Model):
    """One window of the drift matrix."""

    index: int
    start_s: float
    end_s: float
    requests: int = Field(0, description="requests that started in the window")


class Drift(_Model):
    """Per-feature drift of the served rows, each window against the clean held-out rows."""

    window_s: float
    features: list[str]
    windows: list[DriftWindow]
    psi: list[list[float | None]] = Field(description="[feature][window]; None: too few rows")
    ks_pvalue: list[list[float | None]]
    nonfinite_share: list[list[float]]
    min_rows: int = Field(
        0, description="finite values a window needs to be judged; fewer: psi None, not enough data"
    )


class LagSample(_Model):
    """Replication lag one replicator reported."""

    t: float
    instance: str
    lag_s: float
    pending: float


class Replacement(_Model):
    """The instance that took a preempted instance's place (or why none did)."""

    capacity: str = Field(description="spot, on_demand, or none (no replacement)")
    started_at: float | None = Field(None, description="launch: billing starts here")
    ready_at: float | None = Field(None, description="its /readyz answered 200")
    joined_at: float | None = Field(None, description="the gateway routed to it again")


class Preemption(_Model):
    """One spot instance preempted: its notice, how it left, what it cost in requests."""

    fault: str
    wave: int = Field(description="1-based wave of its fault")
    instance: str
    instance_type: str | None
    provider: str
    rebalance_at: float | None
    notice_at: float
    terminate_at: float = Field(description="SIGTERM (the end of the notice)")
    gone_at: float | None = Field(description="the process/container had exited")
    forced: bool = Field(description="it outlived the grace and was killed (SIGKILL)")
    drained_at: float | None = Field(
        description="the gateway stopped routing to it (first time after the notice)"
    )
    notice_to_drained_s: float | None
    drained_before_termination: bool
    failed_requests: int = Field(description="failed requests whose last try hit this instance")
    out_of_rotation_at: float | None = Field(
        description="it stopped taking traffic: drained, or terminated, whichever came first"
    )
    without_full_capacity_s: float | None = Field(
        description="out of rotation until its replacement joined (or the run ended)"
    )
    replacement: Replacement
    finding: str | None = Field(None, description="what the report should say, e.g. ignored notice")


class CostLine(_Model):
    """Instance-seconds and cost of one instance type in one pricing class."""

    instance_type: str | None = Field(description="None: the stack names no type")
    pricing: str = Field(description="on_demand or spot")
    instances: int = Field(description="distinct instances (replacements count again)")
    instance_seconds: float
    hourly_price: float | None
    cost: float | None


class Cost(_Model):
    """What the run's stack cost: instance-seconds by type and pricing class, priced."""

    currency: str = "USD"
    lines: list[CostLine]
    instance_seconds: float
    spot_share: float | None = Field(description="share of instance-seconds on spot")
    total: float | None = Field(description="None when some instance type has no price")
    successful_predictions: int
    per_1k_predictions: float | None
    capacity_seconds_lost: float = Field(
        description="instance-seconds preempted instances were out of rotation before "
        "their replacement joined (or the run ended)"
    )


class EventRecord(_Model):
    """One thing that happened, as recorded in events.jsonl."""

    t: float
    type: str
    message: str
    data: dict[str, Any] = Field(default_factory=dict)


class Results(_Model):
    """Everything a run produced that a reader or a CI gate needs."""

    schema_version: int = SCHEMA_VERSION
    harness_version: str
    run_id: str
    scenario: ScenarioInfo
    backend: str
    seed: int
    time_scale: float
    started_at: str = Field(description="ISO 8601 UTC")
    duration_s: float
    command: str = Field(description="the command that reproduces this run")
    complete: bool
    incomplete_reason: str | None = None
    verdict: Verdict
    slos: list[SloResult]
    faults: list[FaultResult]
    phases: list[PhaseResult]
    totals: Totals
    timeline: list[TimelineBin]
    events: list[EventRecord]
    subscriber_errors: int = Field(
        0, description="times a live event subscriber raised; every event was still recorded"
    )
    models: list[ModelUse] = Field(default_factory=list)
    integrity: Integrity | None = None
    drift: Drift | None = None
    replication_lag: list[LagSample] = Field(default_factory=list)
    preemptions: list[Preemption] = Field(default_factory=list)
    cost: Cost | None = None
