"""report.html for a pipeline run: model versions, drift heatmap, data integrity, fault cards."""

from __future__ import annotations

import collections
import json
from pathlib import Path
from typing import Any

from harness.report.heatmap import psi_color
from harness.results import Results

PIPELINE_GOLDEN = Path(__file__).parent / "golden" / "pipeline.json"
SECTIONS = ("models", "drift", "integrity")


def _texts(element: Any) -> str:
    return " ".join(element.text.split())


def _rows(doc: Any, table_class: str) -> list[str]:
    (table,) = doc.find_all("table", **{"class": table_class})
    start = doc.elements.index(table)
    rows = [e for e in doc.elements[start:] if e.tag == "tr" and e.text in table.text]
    return [_texts(r) for r in rows[1:]]  # after the header


def _cells(doc: Any) -> list[Any]:
    return [e for e in doc.find_all("g") if "cell" in e.attrs.get("class", "").split()]


def test_golden_file_is_what_the_builder_makes(
    pipeline_results: Results, pipeline_builder: Any
) -> None:
    # After a deliberate change: python tests/unit/report/make_pipeline_golden.py
    assert pipeline_results == pipeline_builder.build_pipeline_results()
    assert json.loads(PIPELINE_GOLDEN.read_text())["drift"]["features"][0] == "amount"


def test_runs_without_a_pipeline_have_none_of_the_sections(sample_page: tuple[str, Any]) -> None:
    _, doc = sample_page
    for section in SECTIONS:
        assert not doc.find_all(id=section)
    for chart in ("drift-heatmap", "models-chart", "lag-chart"):
        assert not doc.find_all(id=chart)


def test_model_version_table(pipeline_page: tuple[str, Any]) -> None:
    _, doc = pipeline_page
    assert _rows(doc, "models") == [
        "base-v1 t+0.00 s t+70.80 s 2,800 58.82% 88.74%",
        "retrain-1769681792123-3fa9c2e1b0d4 t+66.00 s t+119.90 s 1,960 41.18% 92.61%",
    ]


def test_accuracy_chart_has_a_version_strip_legend_and_markers(
    pipeline_page: tuple[str, Any], pipeline_results: Results
) -> None:
    _, doc = pipeline_page
    chart = doc.by_id("models-chart")
    assert doc.find_all("g", id="version-strip-0") and doc.find_all("g", id="version-strip-1")
    assert "base-v1 (88.74%)" in chart.text  # the legend names each version
    assert "retrain-1769681792123-3fa9c2e1b0d4 (92.61%)" in chart.text
    marked = {e.attrs["id"] for e in doc.elements if e.attrs.get("id", "").startswith("model-")}
    model_events = [
        i
        for i, e in enumerate(pipeline_results.events)
        if e.type in {"ModelRetrained", "ModelSwapped", "ModelRejected"}
    ]
    assert marked >= {f"model-event-{i}" for i in model_events}
    for label in ("retrain promoted", "retrain rejected", "model swapped"):
        assert label in chart.text
    assert doc.find_all("g", id="fault-window-0-models-accuracy")


def test_heatmap_one_cell_per_feature_and_window(
    pipeline_page: tuple[str, Any], pipeline_results: Results
) -> None:
    _, doc = pipeline_page
    drift = pipeline_results.drift
    assert drift is not None
    cells = _cells(doc)
    assert len(cells) == len(drift.features) * len(drift.windows)
    for cell in cells:
        f, w = int(cell.attrs["data-feature"]), int(cell.attrs["data-window"])
        psi = drift.psi[f][w]
        rect = doc.elements[doc.elements.index(cell) + 2]  # <g><title/><rect/>
        assert rect.tag == "rect"
        if psi is None:
            assert "psi-nodata" in cell.attrs["class"]
            assert rect.attrs["fill"] == "url(#drift-nodata)"
            assert "no data" in cell.text
        else:
            assert rect.attrs["fill"] == psi_color(psi)


def test_heatmap_band_colour_and_ks_marker(pipeline_page: tuple[str, Any]) -> None:
    _, doc = pipeline_page
    # card_present (feature 12) is skewed in windows 2–3; its KS test rejects there.
    hot = next(
        c for c in _cells(doc) if (c.attrs["data-feature"], c.attrs["data-window"]) == ("12", "2")
    )
    assert hot.attrs["class"] == "cell psi-major"
    start = doc.elements.index(hot)
    assert doc.elements[start + 3].tag == "circle"
    assert "card_present · window 2 (20–30 s)" in hot.text and "KS p = 0.001 (drift)" in hot.text
    quiet = next(
        c for c in _cells(doc) if c.attrs["data-feature"] == "1" and c.attrs["data-window"] == "0"
    )
    assert quiet.attrs["class"] == "cell psi-none"
    assert doc.elements[doc.elements.index(quiet) + 3].tag != "circle"


def test_heatmap_legend_nonfinite_and_fault_lanes(pipeline_page: tuple[str, Any]) -> None:
    _, doc = pipeline_page
    heatmap = _texts(doc.by_id("drift-heatmap"))
    for label in (
        "0.1",
        "0.25",
        "not enough data",
        "KS test p < 0.05",
        "non-finite (max)",
    ):
        assert label in heatmap
    assert "12.0%" in heatmap  # amount carries NaNs in the skewed windows
    lanes = [_texts(doc.by_id(f"drift-fault-{i}")) for i in range(3)]
    assert [lane.split(" (")[0] for lane in lanes] == [
        "skewed-features",
        "primary-region-down",
        "replication-cut",
    ]
    assert "3 of 20 features reached major drift" in _texts(doc.by_id("drift"))


def test_integrity_totals_regions_and_lost_records(pipeline_page: tuple[str, Any]) -> None:
    _, doc = pipeline_page
    totals = _texts(doc.by_id("integrity-totals"))
    for expected in (
        "records sent 6,000",
        "acknowledged 5,874",
        "quarantined 126 (nonfinite: 98, schema: 28)",
        "lost 27",
        "duplicated 3",
        "RPO 2.40 s",
    ):
        assert expected in totals
    assert _rows(doc, "regions") == [
        "us-east-1 lost 0 0 0 0 0 0",
        "eu-west-1 surviving 412 5,847 27 3 0 2",
    ]
    lost = _rows(doc, "lost")
    assert len(lost) == 10
    assert lost[0] == "rec-040211 us-east-1 t+37.20 s 2.40 s"
    assert "and 17 more" in _texts(doc.by_id("integrity"))
    assert doc.find_all("g", id="lag-series-0") and doc.find_all("g", id="lag-series-1")


def test_audit_failure_is_said_plainly(
    pipeline_results: Results, tmp_path: Path, render: Any
) -> None:
    assert pipeline_results.integrity is not None
    failed = pipeline_results.integrity.model_copy(
        update={"error": "store eu-west-1 unreachable", "lost": [], "regions": [], "rpo_s": None}
    )
    _, doc = render(pipeline_results.model_copy(update={"integrity": failed}), tmp_path)
    section = _texts(doc.by_id("integrity"))
    assert "Audit failed: store eu-west-1 unreachable" in section
    assert "RPO" not in section and "lost" not in _texts(doc.by_id("integrity-totals")).split()
    assert "records sent 6,000" in section


def test_lag_chart_only_with_lag_samples(
    pipeline_results: Results, tmp_path: Path, render: Any
) -> None:
    text, doc = render(pipeline_results.model_copy(update={"replication_lag": []}), tmp_path)
    assert doc.find_all(id="integrity") and "lag-chart" not in text


def test_fault_cards_say_what_detected_them_and_their_data_target(
    pipeline_page: tuple[str, Any],
) -> None:
    _, doc = pipeline_page
    cards = [_texts(e) for e in doc.find_all("article")]
    assert "corrupt_data on serving requests (feature rows sent to the gateway)" in cards[0]
    assert "detected by inference-us-east-1-0: quality alert drift firing" in cards[0]
    assert "partition between us-east-1 and eu-west-1" in cards[2]
    assert "detected by" not in cards[2]


def test_new_event_types_read_with_their_outcome(pipeline_page: tuple[str, Any]) -> None:
    _, doc = pipeline_page
    rows = _rows(doc, "events")
    assert any(
        r.startswith("t+60.00 s ModelRetrained promoted retrain (drift) promoted") for r in rows
    )
    assert any(r.startswith("t+93.60 s ModelRetrained rejected") for r in rows)
    assert any(r.startswith("t+22.80 s QualityAlert firing") for r in rows)
    assert any(
        r.startswith("t+66.00 s ModelSwapped inference-eu-west-1-0 now serves") for r in rows
    )


def test_ids_are_unique_across_charts(pipeline_page: tuple[str, Any]) -> None:
    _, doc = pipeline_page
    ids = collections.Counter(e.attrs["id"] for e in doc.elements if "id" in e.attrs)
    assert [i for i, n in ids.items() if n > 1] == []


def test_pipeline_text_is_escaped(pipeline_results: Results, tmp_path: Path, render: Any) -> None:
    attack = "<script>alert(1)</script>"
    assert pipeline_results.drift is not None and pipeline_results.integrity is not None
    models = [pipeline_results.models[0].model_copy(update={"version": attack})]
    bins = [
        b.model_copy(update={"model_versions": {attack: b.requests}})
        for b in pipeline_results.timeline
    ]
    drift = pipeline_results.drift.model_copy(
        update={"features": [attack, *pipeline_results.drift.features[1:]]}
    )
    lost = [pipeline_results.integrity.lost[0].model_copy(update={"id": attack, "region": attack})]
    integrity = pipeline_results.integrity.model_copy(
        update={"lost": lost, "error": attack, "quarantine_reasons": {attack: 1}}
    )
    lag = [s.model_copy(update={"instance": attack}) for s in pipeline_results.replication_lag]
    hostile = pipeline_results.model_copy(
        update={"models": models, "timeline": bins, "drift": drift, "integrity": integrity,
                "replication_lag": lag}
    )  # fmt: skip
    text, doc = render(hostile, tmp_path)
    assert not doc.find_all("script") and "<script>" not in text
    assert text.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 6
    assert attack in _texts(doc.by_id("drift-heatmap"))
    assert attack in _texts(doc.by_id("models-chart"))


def test_long_run_heatmap_has_every_cell(
    tmp_path: Path, render: Any, pipeline_builder: Any
) -> None:
    long_run = pipeline_builder.build_pipeline_results(10, 120, 30)
    _, doc = render(long_run, tmp_path)
    assert len(_cells(doc)) == 20 * 30
    ticks = [e for e in doc.find_all("text") if e.attrs.get("class") == "hm-tick"]
    assert 5 <= len(ticks) < 30


def _one_version(results: Results) -> Results:
    bins = [
        b.model_copy(update={"model_versions": {"base-v1": b.requests}}) for b in results.timeline
    ]
    model_events = {"ModelRetrained", "ModelSwapped", "ModelRejected"}
    return results.model_copy(
        update={
            "models": [results.models[0].model_copy(update={"last_s": 119.9, "requests": 4760})],
            "timeline": bins,
            "events": [e for e in results.events if e.type not in model_events],
        }
    )


def test_one_model_version_does_not_repeat_the_accuracy_chart(
    pipeline_results: Results, tmp_path: Path, render: Any
) -> None:
    _, doc = render(_one_version(pipeline_results), tmp_path)
    assert doc.find_all(id="timeline-chart")
    assert not doc.find_all(id="models-chart")
    section = doc.by_id("models")
    assert _rows(doc, "models") == ["base-v1 t+0.00 s t+119.90 s 4,760 100% 88.74%"]
    assert (
        "One model version served the whole run: its accuracy is on the timeline above."
        in _texts(section)
    )


def test_one_version_with_model_events_keeps_the_chart_for_its_markers(
    pipeline_results: Results, tmp_path: Path, render: Any
) -> None:
    one = _one_version(pipeline_results)
    rejected = [e for e in pipeline_results.events if e.type == "ModelRejected"]
    _, doc = render(one.model_copy(update={"events": [*one.events, *rejected]}), tmp_path)
    assert doc.find_all(id="models-chart")
