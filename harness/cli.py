"""The `harness` command line: run, validate, schema."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from harness.errors import ExitCode, HarnessError

if TYPE_CHECKING:
    from harness.observe.progress import Progress


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ai-resilience-harness")
def cli() -> None:
    """Chaos and resilience testing for AI systems."""


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--backend",
    default="auto",
    show_default=True,
    help="How instances run: docker (containers), process (local subprocesses), or auto "
    "(docker when an engine answers, else process).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Run folder (default: reports/<scenario>-<timestamp>).",
)
@click.option("--seed", type=int, default=None, help="Override the scenario's seed.")
@click.option(
    "--time-scale",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="Multiply every schedule duration (0.1 = ten times faster).",
)
@click.option("--quiet", is_flag=True, help="No progress on stderr.")
@click.pass_context
def run(
    ctx: click.Context,
    file: Path,
    backend: str,
    out_dir: Path | None,
    seed: int | None,
    time_scale: float,
    quiet: bool,
) -> None:
    """Run a scenario; exit 0 if every SLO passes, 1 if one fails, 2 on bad input.

    3: interrupted (Ctrl-C, SIGTERM); 4: the run broke off (engine lost). Faults are reverted
    and partial results written in both cases.
    """
    from harness.backends.select import choose_backend
    from harness.observe.progress import Progress
    from harness.run import RunOptions, run_scenario

    progress = Progress(quiet=quiet)
    chosen, why = choose_backend(backend)
    progress.say(f"backend {chosen} ({why})")
    _reap(progress)
    command = shlex.join(
        ["harness", "run", str(file), "--backend", chosen]
        + (["--seed", str(seed)] if seed is not None else [])
        + ["--time-scale", f"{time_scale:g}"]
    )
    options = RunOptions(file, chosen, out_dir, seed, time_scale, command)
    outcome = run_scenario(options, progress)
    ctx.exit(int(outcome.exit_code))


def _reap(progress: Progress) -> None:
    """Remove what crashed runs left behind, and say so."""
    from harness.cleanup import reap_leftovers

    report = reap_leftovers()
    if report.removed:
        progress.say(f"removed leftovers of crashed runs: {', '.join(report.removed)}")


@cli.command()
@click.option("--run", "run_id", default=None, help="Only what this run id left behind.")
def cleanup(run_id: str | None) -> None:
    """Remove containers, networks and processes labelled by earlier runs."""
    from harness.cleanup import cleanup as do_cleanup

    report = do_cleanup(run_id)
    for item in report.removed:
        click.echo(f"removed {item}")
    for item in report.failed:
        click.echo(f"could not remove {item}", err=True)
    for why in report.unchecked:
        click.echo(f"not checked: {why}", err=True)
    click.echo(f"{len(report.removed)} item(s) removed")


@cli.group()
def images() -> None:
    """Container images of the reference stack."""


@images.command("build")
@click.option("--force", is_flag=True, help="Rebuild even when the inputs did not change.")
def images_build(force: bool) -> None:
    """Build every image ahead of time (tagged by a hash of its inputs), with progress."""
    from harness.images import build_images_command
    from harness.observe.progress import Progress

    tags = build_images_command(Progress().say, force=force)
    for service, tag in sorted(tags.items()):
        click.echo(f"{service}: {tag}")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Check scenario files; print every error as file:line:col and exit 2 if any."""
    from harness.scenario.loader import load_scenario

    failed = False
    for file in files:
        try:
            load_scenario(file)
            click.echo(f"{file}: ok")
        except HarnessError as err:
            click.echo(err.render(), err=True)
            failed = True
    ctx.exit(int(ExitCode.BAD_INPUT if failed else ExitCode.OK))


@cli.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    from harness.scenario.model import Scenario

    click.echo(json.dumps(Scenario.model_json_schema(), indent=2))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; user errors print without a traceback."""
    try:
        code = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="harness",
            standalone_mode=False,
        )
    except HarnessError as err:
        click.echo(f"error: {err.render()}", err=True)
        return int(err.exit_code)
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.ClickException as err:
        err.show()
        return int(ExitCode.BAD_INPUT)
    except click.exceptions.Abort:  # Ctrl-C outside a run (a run handles its own)
        click.echo("interrupted", err=True)
        return int(ExitCode.INTERRUPTED)
    return code if isinstance(code, int) else int(ExitCode.OK)


def main_entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
