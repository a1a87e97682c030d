"""report.html: parsed-page assertions on the golden run, escaping, offline, atomic writes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from harness.report import html
from harness.results import Results, Verdict


def _row_texts(doc: Any, section: str) -> list[str]:
    section_el = doc.by_id(section)
    start = doc.elements.index(section_el)
    rows = [e for e in doc.elements[start:] if e.tag == "tr"]
    return [" ".join(r.text.split()) for r in rows if r.text in section_el.text]


def test_verdict_banner(sample_page: tuple[str, Any]) -> None:
    _, doc = sample_page
    banner = doc.by_id("verdict")
    assert "verdict-fail" in banner.attrs["class"].split()
    assert "FAIL" in banner.text
    assert "3 of 4 SLOs met" in banner.text
    assert "regional-outage" in banner.text


def test_run_facts(sample_page: tuple[str, Any]) -> None:
    _, doc = sample_page
    facts = " ".join(doc.by_id("run").text.split())
    for expected in (
        "backend process",
        "seed 42",
        "time scale 1×",
        "started 2026-01-29 10:15:00 UTC",
        "duration 131.48 s",
    ):
        assert expected in facts


def test_every_slo_row_with_its_measured_value(sample_page: tuple[str, Any]) -> None:
    _, doc = sample_page
    rows = _row_texts(doc, "slos")[1:]  # after the header
    assert rows == [
        "availability >= 95% availability overall >= 95% 95.00% 97.75% pass",
        (
            "recovery_time <= 3s slowest fault: primary-region-down recovery_time fault <= 3s "
            "3.00 s 4.61 s fail"
        ),
        "p99_latency <= 250ms p99_latency baseline <= 250ms 250.0 ms 44.8 ms pass",
        "accuracy >= 0.95x baseline accuracy fault >= 0.95x baseline 87.49% 88.92% pass",
    ]


def test_fault_card_with_recovery_time(sample_page: tuple[str, Any]) -> None:
    _, doc = sample_page
    (card,) = [e for e in doc.find_all("article") if "fault" in e.attrs.get("class", "")]
    text = " ".join(card.text.split())
    assert "primary-region-down" in text
    assert "recovered in 4.61 s" in text
    for expected in (
        "region_outage on region us-east-1",
        "injected at t+40.02 s",
        "reverted at t+100.05 s",
        "time to detect 3.28 s",
        "time to recover 4.61 s",
        "requests / errors 2,360 / 101",
        "availability 95.72%",
        "p99 latency 1,012.6 ms",
        "accuracy 88.93%",
    ):
        assert expected in text


def test_phase_table(sample_page: tuple[str, Any]) -> None:
    _, doc = sample_page
    rows = _row_texts(doc, "phases")[1:]
    assert [r.split()[0] for r in rows] == ["baseline", "fault", "recovery", "overall"]
    assert rows[3] == "overall 0–120 s 4,760 107 97.75% 24.8 ms 84.2 ms 642.0 ms 90.32%"


def test_inline_svg_with_shaded_fault_window(sample_page: tuple[str, Any]) -> None:
    text, doc = sample_page
    svg = doc.by_id("timeline-chart")
    assert svg.tag == "svg"
    assert doc.find_all("g", id="fault-window-0-success_ratio")
    assert [e for e in doc.elements if e.attrs.get("id", "").startswith("event-")]
    assert "<?xml" not in text and "<!DOCTYPE svg" not in text


def test_events_reproduce_and_scenario(sample_page: tuple[str, Any], results: Results) -> None:
    _, doc = sample_page
    events = _row_texts(doc, "events")[1:]
    assert len(events) == len(results.events)
    assert events[3] == "t+40.03 s InstanceKilled inference-us-east-1-0 killed (SIGKILL)"
    assert results.command in doc.by_id("reproduce").text
    (pre,) = doc.find_all("pre", **{"class": "scenario"})
    assert pre.text == results.scenario.text


@pytest.mark.parametrize("page", ["sample_page", "pipeline_page"])
def test_page_is_self_contained(
    page: str, results: Results, request: pytest.FixtureRequest
) -> None:
    text, doc = request.getfixturevalue(page)
    assert not doc.find_all("script") and not doc.find_all("link")
    for element in doc.elements:
        for attr in ("src", "href", "xlink:href", "action"):
            assert element.attrs.get(attr, "#").startswith("#"), (element.tag, element.attrs)
    assert "@import" not in text
    assert set(re.findall(r"url\((.)", text)) == {"#"}  # clip paths inside the chart only
    # The only URL is the one inside the (escaped) scenario text.
    outside = text.replace(_escaped(results.scenario.text), "")
    assert not re.search(r"https?://", outside)


def _escaped(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


def test_user_text_is_escaped(results: Results, tmp_path: Path, render: Any) -> None:
    attack = "<script>alert(1)</script>"
    fault = results.faults[0].model_copy(update={"name": f"{attack} $x$"})
    hostile = results.model_copy(
        update={
            "scenario": results.scenario.model_copy(
                update={"description": attack, "text": f"name: x\n# {attack}\n"}
            ),
            "faults": [fault],
            "command": f"harness run '{attack}'",
        }
    )
    text, doc = render(hostile, tmp_path)
    assert not doc.find_all("script")
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert attack in doc.find_all("p", **{"class": "description"})[0].text


def test_incomplete_banner(results: Results, tmp_path: Path, render: Any) -> None:
    incomplete = results.model_copy(
        update={
            "complete": False,
            "verdict": Verdict.INCOMPLETE,
            "incomplete_reason": "interrupted by SIGINT at t+71.3 s",
        }
    )
    _, doc = render(incomplete, tmp_path)
    banner = doc.by_id("verdict")
    assert "verdict-incomplete" in banner.attrs["class"].split()
    assert "INCOMPLETE" in banner.text
    assert "interrupted by SIGINT at t+71.3 s" in banner.text


def test_pass_banner_and_empty_sections(results: Results, tmp_path: Path, render: Any) -> None:
    bare = results.model_copy(
        update={"verdict": Verdict.PASS, "slos": [], "faults": [], "timeline": [], "events": []}
    )
    _, doc = render(bare, tmp_path)
    assert "verdict-pass" in doc.by_id("verdict").attrs["class"]
    assert not doc.find_all("svg")
    assert "No timeline data." in doc.by_id("timeline").text
    assert "No faults in this scenario." in doc.by_id("faults").text


def test_failed_render_leaves_earlier_report(
    results: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = html.write(results, tmp_path)
    before = path.read_bytes()

    def broken(view: object) -> str:
        raise RuntimeError("template bug")

    monkeypatch.setattr(html, "render", broken)
    with pytest.raises(RuntimeError, match="template bug"):
        html.write(results.model_copy(update={"seed": 7}), tmp_path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_subscriber_errors_are_a_warning_under_the_verdict(
    results: Results, tmp_path: Path, render: Any
) -> None:
    _, doc = render(results.model_copy(update={"subscriber_errors": 2}), tmp_path)
    (warning,) = doc.find_all("p", **{"class": "warning"})
    text = " ".join(warning.text.split())
    assert text == (
        "Warning: event subscribers failed 2 times (the run's log has each traceback); "
        "events.jsonl and these results hold every event."
    )
    assert text in " ".join(doc.by_id("verdict").text.split())


def test_no_warning_without_subscriber_errors(sample_page: tuple[str, Any]) -> None:
    _, doc = sample_page
    assert not doc.find_all("p", **{"class": "warning"})


def test_a_fault_whose_recovery_could_not_be_judged_says_so(tmp_path: Path) -> None:
    """Too few labelled requests after a data fault: 'not judged', never 'did not recover'."""
    from tests.unit.report.conftest import GOLDEN, parse_html

    results = Results.model_validate_json(GOLDEN.read_text(encoding="utf-8"))
    fault = results.faults[0].model_copy(
        update={"time_to_recover_s": None, "recovered": False, "recovery_judged": False}
    )
    page = html.write(results.model_copy(update={"faults": [fault]}), tmp_path)
    doc = parse_html(page.read_text(encoding="utf-8"))
    (card,) = [e for e in doc.find_all("article") if "fault" in e.attrs.get("class", "")]
    text = " ".join(card.text.split())
    assert "recovery not judged" in text and "did not recover" not in text
    assert "too few labelled requests after the fault to judge accuracy" in text
