"""The `harness` command line: run, validate, schema."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from harness.errors import ExitCode, HarnessError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ai-resilience-harness")
def cli() -> None:
    """Chaos and resilience testing for AI systems."""


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--backend",
    default="process",
    show_default=True,
    help="How instances run: process (local subprocesses).",
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
    """Run a scenario; exit 0 if every SLO passes, 1 if one fails, 2 on bad input."""
    from harness.backends import BACKENDS
    from harness.observe.progress import Progress
    from harness.run import RunOptions, run_scenario

    if backend not in BACKENDS:
        raise HarnessError(BACKENDS.unknown_message(backend), hint="use --backend process")
    command = shlex.join(
        [
            "harness",
            "run",
            str(file),
            "--backend",
            backend,
            "--seed",
            str(seed) if seed is not None else "<scenario seed>",
            "--time-scale",
            f"{time_scale:g}",
        ]
    )
    options = RunOptions(file, backend, out_dir, seed, time_scale, command)
    outcome = run_scenario(options, Progress(quiet=quiet))
    ctx.exit(int(outcome.exit_code))


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
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return int(ExitCode.BAD_INPUT)
    return code if isinstance(code, int) else int(ExitCode.OK)


def main_entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
