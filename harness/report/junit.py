"""junit.xml: one test case per SLO (and one for an incomplete run), for CI dashboards."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from harness.report._atomic import write_text_atomic
from harness.results import Results, SloResult


def render(results: Results) -> str:
    """The JUnit XML document for a run: a failed SLO is a <failure>, an aborted run an <error>."""
    suite = ET.Element(
        "testsuite",
        name=f"harness.{results.scenario.name}",
        tests=str(len(results.slos) + 1),
        time=f"{results.duration_s:.3f}",
    )
    ET.SubElement(suite, "properties").extend(
        ET.Element("property", name=k, value=str(v))
        for k, v in (
            ("backend", results.backend),
            ("seed", results.seed),
            ("time_scale", results.time_scale),
            ("run_id", results.run_id),
        )
    )
    run = ET.SubElement(suite, "testcase", classname=suite.get("name", ""), name="run completed")
    if not results.complete:
        ET.SubElement(run, "error", message=results.incomplete_reason or "incomplete")
    for slo in results.slos:
        suite.append(_case(suite.get("name", ""), slo))
    failures = sum(not s.passed for s in results.slos)
    suite.set("failures", str(failures))
    suite.set("errors", "0" if results.complete else "1")
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def _case(classname: str, slo: SloResult) -> ET.Element:
    case = ET.Element("testcase", classname=classname, name=f"{slo.name} [{slo.phase}]")
    if not slo.passed:
        failure = ET.SubElement(
            case,
            "failure",
            message=f"measured {slo.measured} {slo.unit}, "
            f"objective {slo.objective} (threshold {slo.threshold})",
        )
        failure.text = slo.detail or None
    return case


def write(results: Results, out_dir: Path) -> Path:
    """Write out_dir/junit.xml atomically."""
    return write_text_atomic(out_dir / "junit.xml", render(results))
