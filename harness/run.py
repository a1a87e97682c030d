"""Orchestration of one run: load the scenario, start the stack, drive load and faults, score, report."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

from harness import settings
from harness.backends import BACKENDS
from harness.backends.base import RunInfo
from harness.errors import ExitCode
from harness.events import EventLog
from harness.execute import execute
from harness.observe.progress import Progress
from harness.own_service import check_backend
from harness.report import write_all
from harness.results import Results, Verdict
from harness.scenario.loader import load_scenario
from harness.scenario.plan import make_plan
from harness.score.results_of import RunMeta, results_of


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
    check_backend(scenario, options.backend)  # an own service it cannot run: say so now
    run_id = f"{scenario.name}-{_now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
    out_dir = options.out_dir or settings.reports_dir() / run_id
    out_dir.mkdir(parents=True, exist_ok=True)
    events = EventLog(out_dir / "events.jsonl")
    events.subscribers.append(progress.on_event)
    progress.say(
        f"run {run_id}: {scenario.name} on {options.backend}, time scale "
        f"{options.time_scale:g}, seed {plan.seed}, writing to {out_dir}"
    )
    started_at = _now()
    run = RunInfo(run_id, out_dir, scenario.name, plan.topology.regions)
    execution = execute(plan, backend_cls(run), events, progress, out_dir)
    meta = RunMeta(
        run_id,
        options.backend,
        options.command,
        started_at,
        _now(),
        source.file,
        source.text,
        out_dir,
    )
    results = results_of(plan, execution, events, meta)
    write_all(results, out_dir)
    progress.say(f"verdict {results.verdict.value.upper()}; report: {out_dir / 'report.html'}")
    return RunOutcome(results, out_dir, exit_code(results.verdict, execution.interrupted))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def exit_code(verdict: Verdict, interrupted: bool) -> ExitCode:
    """The exit code a run earned: a run cut short never reads as bad input."""
    if verdict == Verdict.PASS:
        return ExitCode.OK
    if verdict == Verdict.FAIL:
        return ExitCode.SLO_FAILED
    return ExitCode.INTERRUPTED if interrupted else ExitCode.INCOMPLETE
