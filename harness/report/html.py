"""The report.html writer: a self-contained page (inline CSS and SVG, no external URL)."""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

from harness.report._atomic import write_text_atomic
from harness.report.model import ReportView, build_view
from harness.results import Results

FILENAME = "report.html"
TEMPLATES = Path(__file__).parent / "templates"


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


def render(view: ReportView) -> str:
    """Render the report page for `view`."""
    return _environment().get_template("report.html.j2").render(v=view)


def write(results: Results, out_dir: Path) -> Path:
    """Render out_dir/report.html from `results`, atomically (a failed render writes nothing)."""
    text = render(build_view(results))
    return write_text_atomic(Path(out_dir) / FILENAME, text)
