"""junit.xml: CI dashboards see one case per SLO, failures as <failure>, an aborted run as <error>."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from harness.report import junit, write_all
from harness.results import Results


def test_one_case_per_slo_and_failures_marked(results: Results, tmp_path: Path) -> None:
    path = junit.write(results, tmp_path)
    suite = ET.parse(path).getroot()
    cases = suite.findall("testcase")
    assert len(cases) == len(results.slos) + 1
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == sum(not s.passed for s in results.slos) == int(suite.get("failures", ""))
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["backend"] == results.backend and props["seed"] == str(results.seed)


def test_incomplete_run_is_an_error(results: Results) -> None:
    aborted = results.model_copy(update={"complete": False, "incomplete_reason": "interrupted"})
    suite = ET.fromstring(junit.render(aborted).split("\n", 1)[1])
    error = suite.find("testcase/error")
    assert error is not None and error.get("message") == "interrupted"
    assert suite.get("errors") == "1"


def test_write_all_writes_junit(results: Results, tmp_path: Path) -> None:
    assert set(write_all(results, tmp_path)) == {"results.json", "report.html", "junit.xml"}
