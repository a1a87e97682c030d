"""Orchestration of one run: load the scenario, start the stack, drive load and faults, score, report."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from harness import __version__, settings
from harness.backends import BACKENDS
from harness.backends.base import RunInfo
from harness.errors import ExitCode
from harness.events import EventLog
from harness.execute import Execution, execute
from harness.observe.progress import Progress
from harness.report import write_all
from harness.results import EventRecord, Results, ScenarioInfo, Verdict
from harness.scenario.loader import load_scenario
from harness.scenario.plan import Plan, make_plan
from harness.score.drift_scores import drift
from harness.score.integrity_scores import integrity, lag_samples
from harness.score.models import model_uses
from harness.score.scorer import score
from harness.score.timeline import timeline


@dataclass(frozen=True)
class RunOptions:
    """What the user asked for on the command line."""

    scenario: Path
    backend: str = "process"
    out_dir: Path | None = None
    seed: int | None = None
    time_scale: float = 1.0
    command: str = ""


@dataclass(frozen=True)
class RunOutcome:
    """Where the run wrote its results, and the exit code it earned."""

    results: Results
    out_dir: Path
    exit_code: ExitCode


def run_scenario(options: RunOptions, progress: Progress) -> RunOutcome:
    """Run one scenario end to end; bad input raises HarnessError before anything starts."""
    scenario, source = load_scenario(options.scenario)
    plan = make_plan(scenario, seed=options.seed, time_scale=options.time_scale)
    backend_cls = BACKENDS.get(options.backend)
    run_id = f"{scenario.name}-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
    out_dir = options.out_dir or settings.reports_dir() / run_id
    out_dir.mkdir(parents=True, exist_ok=True)
    events = EventLog(out_dir / "events.jsonl")
    events.subscribers.append(progress.on_event)
    progress.say(
        f"run {run_id}: {scenario.name} on {options.backend}, time scale "
        f"{options.time_scale:g}, seed {plan.seed}, writing to {out_dir}"
    )
    started_at = dt.datetime.now(dt.UTC)
    run = RunInfo(run_id, out_dir, scenario.name, plan.topology.regions)
    execution = execute(plan, backend_cls(run), events, progress, out_dir)
    results = _results(plan, options, run_id, started_at, execution, events, source.file)
    write_all(results, out_dir)
    progress.say(f"verdict {results.verdict.value.upper()}; report: {out_dir / 'report.html'}")
    return RunOutcome(results, out_dir, exit_code(results.verdict, execution.interrupted))


def _results(
    plan: Plan,
    options: RunOptions,
    run_id: str,
    started_at: dt.datetime,
    execution: Execution,
    events: EventLog,
    file: str,
) -> Results:
    audit = integrity(execution.pipeline)
    scores = score(plan, execution.samples, events.events, execution.complete, audit)
    return Results(
        harness_version=__version__,
        run_id=run_id,
        scenario=ScenarioInfo(
            name=plan.scenario.name,
            description=plan.scenario.description,
            file=file,
            text=Path(file).read_text(),
        ),
        backend=options.backend,
        seed=plan.seed,
        time_scale=plan.time_scale,
        started_at=started_at.isoformat(timespec="seconds"),
        duration_s=round(time.time() - started_at.timestamp(), 3),
        command=options.command,
        complete=execution.complete,
        incomplete_reason=execution.incomplete_reason,
        verdict=scores.verdict,
        slos=scores.slos,
        faults=scores.faults,
        phases=scores.phases,
        totals=scores.totals,
        timeline=timeline(execution.samples, plan.duration_s),
        events=[EventRecord.model_validate(r) for r in events.records()],
        models=model_uses(execution.samples),
        integrity=audit,
        drift=drift(plan, execution.samples, execution.holdout) if execution.holdout else None,
        replication_lag=lag_samples(execution.pipeline),
        preemptions=scores.preemptions,
        cost=scores.cost,
    )


def exit_code(verdict: Verdict, interrupted: bool) -> ExitCode:
    """The exit code a run earned: a run cut short never reads as bad input."""
    if verdict == Verdict.PASS:
        return ExitCode.OK
    if verdict == Verdict.FAIL:
        return ExitCode.SLO_FAILED
    return ExitCode.INTERRUPTED if interrupted else ExitCode.INCOMPLETE
