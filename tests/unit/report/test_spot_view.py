"""report.html for a spot run: the cost table, the spot preemptions, their timeline markers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness import events as ev
from harness.report import spot_view
from harness.report.charts import event_colors, timeline_svg
from harness.results import (
    Cost,
    CostLine,
    EventRecord,
    Preemption,
    Replacement,
    Results,
)

IGNORED = (
    "the instance ignored the interruption notice: it kept taking traffic until it was terminated"
)
SPOT_EVENTS = ("SpotNotice", "InstancePreempted", "ReplacementStarted", "NoCapacity")


def _texts(element: Any) -> str:
    return " ".join(element.text.split())


def _rows(doc: Any, table_class: str, part: str = "tbody") -> list[str]:
    (table,) = doc.find_all("table", **{"class": table_class})
    start = doc.elements.index(table)
    end = next(
        (i for i, e in enumerate(doc.elements[start + 1 :], start + 1) if e.tag == "table"),
        len(doc.elements),
    )
    inside = doc.elements[start:end]
    (section,) = [e for e in inside if e.tag == part]
    first = inside.index(section)
    return [_texts(r) for r in inside[first:] if r.tag == "tr" and r.text in section.text]


def _preemption(**update: Any) -> Preemption:
    base = Preemption(
        fault="spot-wave",
        wave=1,
        instance="inference-us-east-1-0",
        instance_type="m5.large",
        provider="aws",
        rebalance_at=48.0,
        notice_at=50.0,
        terminate_at=80.0,
        gone_at=80.6,
        forced=False,
        drained_at=52.5,
        notice_to_drained_s=2.5,
        drained_before_termination=True,
        failed_requests=0,
        out_of_rotation_at=52.5,
        without_full_capacity_s=31.25,
        replacement=Replacement(capacity="spot", started_at=80.7, ready_at=82.0, joined_at=83.75),
    )
    return base.model_copy(update=update)


PREEMPTIONS = [
    _preemption(),
    _preemption(
        wave=2,
        instance="inference-us-east-1-1",
        provider="gcp",
        rebalance_at=None,
        notice_at=90.0,
        terminate_at=120.0,
        gone_at=None,
        forced=True,
        drained_at=None,
        notice_to_drained_s=None,
        drained_before_termination=False,
        failed_requests=17,
        out_of_rotation_at=120.0,
        without_full_capacity_s=11.5,
        replacement=Replacement(capacity="on_demand", started_at=120.2),
        finding=IGNORED,
    ),
    _preemption(
        fault="spot-crunch",
        instance="inference-eu-west-1-0",
        instance_type=None,
        provider="azure",
        rebalance_at=None,
        notice_at=100.0,
        terminate_at=110.0,
        gone_at=110.4,
        drained_at=100.75,
        notice_to_drained_s=0.75,
        out_of_rotation_at=100.75,
        replacement=Replacement(capacity="none"),
        without_full_capacity_s=None,
    ),
]

COST = Cost(
    currency="USD",
    lines=[
        CostLine(
            instance_type="m5.large",
            pricing="on_demand",
            instances=2,
            instance_seconds=263.0,
            hourly_price=0.096,
            cost=0.007013333,
        ),
        CostLine(
            instance_type="m5.large",
            pricing="spot",
            instances=3,
            instance_seconds=41.25,
            hourly_price=0.0359,
            cost=0.000411344,
        ),
    ],
    instance_seconds=304.25,
    spot_share=0.13558,
    total=0.007424677,
    successful_predictions=4810,
    per_1k_predictions=0.00154359,
    capacity_seconds_lost=42.75,
)


def _spot_events() -> list[EventRecord]:
    made = [
        ev.SpotRebalance(t=48.0, instance="inference-us-east-1-0", fault="spot-wave"),
        ev.SpotNotice(
            t=50.0, instance="inference-us-east-1-0", fault="spot-wave", provider="aws",
            wave=1, terminate_at=80.0,
        ),
        ev.InstancePreempted(
            t=80.0, instance="inference-us-east-1-0", fault="spot-wave", gone_at=80.4,
            forced=False,
        ),
        ev.ReplacementStarted(
            t=80.7, instance="inference-us-east-1-0", pricing="spot", instance_type="m5.large"
        ),
        ev.InstancePreempted(
            t=120.0, instance="inference-us-east-1-1", fault="spot-wave", gone_at=121.0,
            forced=True,
        ),
        ev.NoCapacity(t=110.0, instance="inference-eu-west-1-0"),
    ]  # fmt: skip
    return [EventRecord.model_validate(e.to_record()) for e in made]


@pytest.fixture
def spot_results(results: Results) -> Results:
    """The golden run with three preemptions, a cost model and the spot events."""
    return results.model_copy(
        update={
            "preemptions": PREEMPTIONS,
            "cost": COST,
            "events": sorted([*results.events, *_spot_events()], key=lambda e: e.t),
        }
    )


@pytest.fixture
def spot_page(spot_results: Results, tmp_path: Path, render: Any) -> tuple[str, Any]:
    page: tuple[str, Any] = render(spot_results, tmp_path)
    return page


def test_cost_table_rows_and_total(spot_page: tuple[str, Any]) -> None:
    _, doc = spot_page
    assert _rows(doc, "cost") == [
        "m5.large on-demand 2 263.0 $0.096/h $0.007013",
        "m5.large spot 3 41.2 $0.0359/h $0.0004113",
    ]
    assert _rows(doc, "cost", "tfoot") == ["total 5 304.2 $0.007425"]


def test_cost_headline_figures(spot_page: tuple[str, Any]) -> None:
    _, doc = spot_page
    totals = _texts(doc.by_id("cost-totals"))
    for text in (
        "total cost $0.007425",
        "spot share 13.56%",
        "per 1,000 successful predictions $0.001544",
        "successful predictions 4,810",
        "capacity lost to preemptions 42.8 instance-seconds",
    ):
        assert text in totals


def test_cost_sits_next_to_the_slos(spot_page: tuple[str, Any]) -> None:
    _, doc = spot_page
    order = [e.attrs["id"] for e in doc.find_all("section")]
    assert order.index("cost") == order.index("slos") + 1


def test_missing_price_says_which_type(spot_results: Results, tmp_path: Path, render: Any) -> None:
    unpriced = CostLine(
        instance_type="g5.xlarge",
        pricing="spot",
        instances=1,
        instance_seconds=10.0,
        hourly_price=None,
        cost=None,
    )
    cost = COST.model_copy(
        update={"lines": [*COST.lines, unpriced], "total": None, "per_1k_predictions": None}
    )
    _, doc = render(spot_results.model_copy(update={"cost": cost}), tmp_path)
    assert "total cost n/a — no price for g5.xlarge" in _texts(doc.by_id("cost-totals"))
    assert "per 1,000 successful predictions n/a — no price for g5.xlarge" in _texts(
        doc.by_id("cost-totals")
    )
    assert _rows(doc, "cost")[-1] == "g5.xlarge spot 1 10.0 no price n/a"
    assert _rows(doc, "cost", "tfoot") == ["total 6 304.2 n/a — no price for g5.xlarge"]


NO_PRICES = Cost(
    lines=[
        CostLine(
            instance_type=None,
            pricing="on_demand",
            instances=4,
            instance_seconds=480.0,
            hourly_price=None,
            cost=None,
        )
    ],
    instance_seconds=480.0,
    spot_share=0.0,
    total=None,
    successful_predictions=4653,
    per_1k_predictions=None,
    capacity_seconds_lost=0.0,
)


def test_no_prices_is_said_once(results: Results, tmp_path: Path, render: Any) -> None:
    text, doc = render(results.model_copy(update={"cost": NO_PRICES}), tmp_path)
    section = doc.by_id("cost")
    assert "no price for" not in text and "n/a" not in _texts(section)
    (note,) = [
        e for e in doc.find_all("p") if e.text and e.text in section.text and "price" in e.text
    ]
    assert _texts(note) == (
        "No prices given: no instance has a priced type (stack.instance_types), "
        "so the run is counted in instance-seconds only."
    )
    assert _rows(doc, "cost") == ["(no type) on-demand 4 480.0"]
    assert _rows(doc, "cost", "tfoot") == ["total 4 480.0"]
    totals = _texts(doc.by_id("cost-totals"))
    assert "total cost" not in totals and "per 1,000" not in totals
    assert "instance-seconds 480.0" in totals and "successful predictions 4,653" in totals


def test_preemption_rows(spot_page: tuple[str, Any]) -> None:
    _, doc = spot_page
    assert _rows(doc, "preemptions") == [
        "spot-wave 1 inference-us-east-1-0 m5.large aws t+50.00 s rebalance t+48.00 s "
        "t+80.00 s exited t+80.60 s 2.50 s yes 0 31.25 s spot joined t+83.75 s",
        "spot-wave 2 inference-us-east-1-1 m5.large gcp t+90.00 s t+120.00 s "
        "killed after the grace never drained no 17 11.50 s on-demand "
        "launched t+120.20 s, never ready",
        "spot-crunch 1 inference-eu-west-1-0 (no type) azure t+100.00 s "
        "t+110.00 s exited t+110.40 s 0.75 s yes 0 — none no replacement capacity",
    ]


def test_findings_are_warnings_not_errors(spot_page: tuple[str, Any]) -> None:
    _, doc = spot_page
    section = doc.by_id("preemptions")
    findings = doc.find_all("p", **{"class": "finding"})
    assert [_texts(f) for f in findings] == [
        f"⚠ inference-us-east-1-1 (spot-wave, wave 2): {IGNORED}"
    ]
    assert IGNORED in section.text
    assert "3 spot instances preempted by 2 faults: 2 of 3 drained before termination, " in (
        _texts(section)
    )
    assert "17 failed requests, 1 finding." in _texts(section)
    assert not doc.find_all(**{"class": "audit-failed"})  # a finding is not an error banner


def test_spot_events_are_markers_on_the_timeline(spot_results: Results) -> None:
    svg = timeline_svg(spot_results)
    for i, event in enumerate(spot_results.events):
        if event.type in SPOT_EVENTS:
            assert f'id="event-{i}-success_ratio"' in svg
            assert event_colors()[event.type] in svg
    for name in SPOT_EVENTS:
        assert name in svg  # the legend names them


def test_spot_event_colours_are_their_own() -> None:
    colors = [event_colors()[t] for t in (*SPOT_EVENTS, "SpotRebalance")]
    assert len(set(colors)) == len(colors)
    others = {c for t, c in event_colors().items() if t not in SPOT_EVENTS and t != "SpotRebalance"}
    assert not others & set(colors)


def test_spot_events_in_the_events_table(spot_page: tuple[str, Any]) -> None:
    _, doc = spot_page
    rows = [_texts(r) for r in doc.find_all("tr") if r.text in doc.by_id("events").text]
    assert (
        "t+120.00 s InstancePreempted killed inference-us-east-1-1 preempted by spot-wave "
        "(killed after the grace)" in rows
    )
    assert any(r.startswith("t+80.00 s InstancePreempted exited") for r in rows)
    assert any(r.startswith("t+110.00 s NoCapacity no replacement") for r in rows)
    assert any(r.startswith("t+80.70 s ReplacementStarted spot") for r in rows)


def test_runs_without_spot_have_neither_section(
    sample_page: tuple[str, Any], results: Results
) -> None:
    text, doc = sample_page
    assert results.cost is None and not results.preemptions
    assert not doc.find_all(id="cost") and not doc.find_all(id="preemptions")
    assert "Spot preemptions" not in text
    assert not doc.find_all(**{"class": "finding"}) and not doc.find_all(
        "table", **{"class": "cost"}
    )


def test_cost_without_preemptions(results: Results, tmp_path: Path, render: Any) -> None:
    on_demand = COST.model_copy(
        update={"lines": COST.lines[:1], "spot_share": 0.0, "capacity_seconds_lost": 0.0}
    )
    _, doc = render(results.model_copy(update={"cost": on_demand}), tmp_path)
    assert doc.find_all(id="cost") and not doc.find_all(id="preemptions")
    assert "capacity lost to preemptions 0.0 instance-seconds" in _texts(doc.by_id("cost-totals"))


def test_no_successful_predictions(results: Results) -> None:
    cost = COST.model_copy(update={"successful_predictions": 0, "per_1k_predictions": None})
    view = spot_view.cost_view(results.model_copy(update={"cost": cost}))
    assert view is not None
    assert view.facts[2].value == "n/a — no successful predictions"


def test_spot_text_is_escaped(spot_results: Results, tmp_path: Path, render: Any) -> None:
    attack = "<script>alert(1)</script>"
    hostile = spot_results.model_copy(
        update={"preemptions": [_preemption(instance=attack, finding=attack)]}
    )
    text, doc = render(hostile, tmp_path)
    assert not doc.find_all("script") and "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_spot_page_is_self_contained(spot_page: tuple[str, Any]) -> None:
    text, doc = spot_page
    assert not doc.find_all("script") and not doc.find_all("link")
    for element in doc.elements:
        for attr in ("src", "href", "xlink:href", "action"):
            assert element.attrs.get(attr, "#").startswith("#"), (element.tag, element.attrs)
    assert "@import" not in text
