"""Rendering of results: results.json, report.html (and later junit.xml)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.report.results import Results

__all__ = ["write_all"]


def write_all(results: Results, out_dir: Path) -> dict[str, Path]:
    """Write every report file for `results` into `out_dir`; results.json goes first."""
    # Imported here so `import harness.report` (and the CLI) stays cheap.
    from harness.report import html, results_json

    written: dict[str, Path] = {}
    for name, writer in (("results.json", results_json.write), ("report.html", html.write)):
        written[name] = writer(results, out_dir)
    return written
