"""Rendering of results: results.json, report.html and junit.xml."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.results import Results

__all__ = ["write_all"]


def write_all(results: Results, out_dir: Path) -> dict[str, Path]:
    """Write every report file for `results` into `out_dir`; results.json goes first."""
    # Imported here so `import harness.report` (and the CLI) stays cheap.
    from harness.report import html, junit, results_json

    written: dict[str, Path] = {}
    writers = (
        ("results.json", results_json.write),
        ("report.html", html.write),
        ("junit.xml", junit.write),
    )
    for name, writer in writers:
        written[name] = writer(results, out_dir)
    return written
