"""The score step in one place: samples, events and the pipeline outcome in, every Results section out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from harness import __version__
from harness.events import EventLog
from harness.results import EventRecord, Results, ScenarioInfo
from harness.scenario.plan import Plan
from harness.score.drift_scores import drift
from harness.score.integrity_scores import integrity, lag_samples
from harness.score.models import model_uses
from harness.score.scorer import score
from harness.score.timeline import timeline

if TYPE_CHECKING:  # the executor pulls in the backends; the scorer only reads what it recorded
    from harness.execute import Execution


@dataclass(frozen=True)
class RunMeta:
    """What the run was, beside what it measured: its id, backend, span, command, scenario text."""

    run_id: str
    backend: str
    command: str
    started_at: dt.datetime
    ended_at: dt.datetime
    scenario_file: str
    scenario_text: str  # the text that was parsed, not the file as it is at the end
    out_dir: Path  # the run folder (the corrupted rows the load sent are in it)


def results_of(plan: Plan, execution: Execution, events: EventLog, meta: RunMeta) -> Results:
    """Score a finished run and build every section of its results."""
    audit = integrity(execution.pipeline)  # once: the SLOs and the Integrity section share it
    scores = score(plan, execution.samples, events.events, execution.complete, audit)
    holdout = execution.holdout
    return Results(
        harness_version=__version__,
        run_id=meta.run_id,
        scenario=ScenarioInfo(
            name=plan.scenario.name,
            description=plan.scenario.description,
            file=meta.scenario_file,
            text=meta.scenario_text,
        ),
        backend=meta.backend,
        seed=plan.seed,
        time_scale=plan.time_scale,
        started_at=meta.started_at.isoformat(timespec="seconds"),
        duration_s=round((meta.ended_at - meta.started_at).total_seconds(), 3),
        command=meta.command,
        complete=execution.complete,
        incomplete_reason=execution.incomplete_reason,
        verdict=scores.verdict,
        slos=scores.slos,
        faults=scores.faults,
        phases=scores.phases,
        totals=scores.totals,
        timeline=timeline(execution.samples, plan.duration_s),
        events=[EventRecord.model_validate(r) for r in events.records()],
        subscriber_errors=events.subscriber_errors,
        models=model_uses(execution.samples),
        integrity=audit,
        drift=drift(plan, execution.samples, holdout, meta.out_dir) if holdout else None,
        replication_lag=lag_samples(execution.pipeline),
        preemptions=scores.preemptions,
        cost=scores.cost,
    )
