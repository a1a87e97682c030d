"""Fixtures for the report tests: the golden run, and report pages parsed with the stdlib."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from harness.report import html
from harness.results import Results

HERE = Path(__file__).parent
GOLDEN = HERE / "golden" / "results.json"
PIPELINE_GOLDEN = HERE / "golden" / "pipeline.json"


def load_builder(name: str) -> Any:
    """Import one of the golden builders (make_golden.py, make_pipeline_golden.py) by name."""
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def built_results() -> Results:
    """The sample run as the builder makes it now (compared with the golden file)."""
    built: Results = load_builder("make_golden").build_results()
    return built


@pytest.fixture
def pipeline_builder() -> Any:
    """make_pipeline_golden.py as a module: build_pipeline_results(minutes, bins, windows)."""
    return load_builder("make_pipeline_golden")


@pytest.fixture
def pipeline_results() -> Results:
    """The golden pipeline run (data faults, retrain, drift, audit), from golden/pipeline.json."""
    return Results.model_validate_json(PIPELINE_GOLDEN.read_text(encoding="utf-8"))


@pytest.fixture
def results() -> Results:
    """The golden sample run, as read from golden/results.json."""
    return Results.model_validate_json(GOLDEN.read_text(encoding="utf-8"))


@dataclass
class Element:
    """One parsed element: its tag, attributes, and all the text inside it (descendants too)."""

    tag: str
    attrs: dict[str, str]
    text: str = ""


@dataclass
class Doc:
    """A parsed HTML page: every element in document order."""

    elements: list[Element] = field(default_factory=list)

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Elements with this tag (any if None) whose attributes equal `attrs`."""
        return [
            e
            for e in self.elements
            if (tag is None or e.tag == tag) and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]

    def by_id(self, id_: str) -> Element:
        """The one element with this id."""
        (found,) = self.find_all(id=id_)
        return found


class _Parser(HTMLParser):
    VOID = frozenset({"meta", "br", "img", "input", "link", "hr", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doc = Doc()
        self.open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.doc.elements.append(element)
        self.handle_data(" ")  # so neighbouring cells' texts do not run together
        if tag not in self.VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.doc.elements.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            if self.open.pop().tag == tag:
                break
        self.handle_data(" ")

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text += data


def parse_html(text: str) -> Doc:
    """Parse a page with the stdlib parser."""
    parser = _Parser()
    parser.feed(text)
    parser.close()
    return parser.doc


@pytest.fixture
def render() -> Callable[[Results, Path], tuple[str, Doc]]:
    """Write report.html for some results into a folder; give back its text and parsed form."""

    def _render(results: Results, out_dir: Path) -> tuple[str, Doc]:
        text = html.write(results, out_dir).read_text(encoding="utf-8")
        return text, parse_html(text)

    return _render


@pytest.fixture(scope="session")
def sample_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Doc]:
    """The golden run's report.html (rendered once per session): its text and parsed form."""
    results = Results.model_validate_json(GOLDEN.read_text(encoding="utf-8"))
    text = html.write(results, tmp_path_factory.mktemp("page")).read_text(encoding="utf-8")
    return text, parse_html(text)


@pytest.fixture(scope="session")
def pipeline_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Doc]:
    """The golden pipeline run's report.html (rendered once per session)."""
    results = Results.model_validate_json(PIPELINE_GOLDEN.read_text(encoding="utf-8"))
    text = html.write(results, tmp_path_factory.mktemp("pipeline")).read_text(encoding="utf-8")
    return text, parse_html(text)
