"""Model chart markers come from the event classes: a new model event kind brings its own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from harness.events import EVENT_TYPES, Event, Marker, ModelRetrained
from harness.report.model_chart import model_chart_svg, tells_more_than_the_timeline
from harness.results import EventRecord, Results


@pytest.fixture
def shadowed() -> Iterator[type[Event]]:
    """A model event kind only this test knows (a candidate served in shadow), then forgotten."""

    @dataclass(frozen=True)
    class ModelShadowTested(Event):
        instance: str

        def model_marker(self) -> Marker:
            return Marker("candidate shadowed", "D", "#123456")

    yield ModelShadowTested
    del EVENT_TYPES[ModelShadowTested.kind]  # the catalog's own tests see only shipped kinds


def with_events(results: Results, *events: Event) -> Results:
    records = [EventRecord.model_validate(e.to_record()) for e in events]
    return results.model_copy(update={"events": records})


def test_a_new_model_event_kind_is_marked_with_its_own_label(
    pipeline_results: Results, shadowed: type[Event]
) -> None:
    event = shadowed(40.0, instance="inference-a-0")  # type: ignore[call-arg]
    svg = model_chart_svg(with_events(pipeline_results, event))
    assert "candidate shadowed" in svg and 'id="model-event-0"' in svg
    assert "retrain promoted" not in svg  # only the kinds the run had are in the legend


def test_a_skipped_retrain_is_not_marked(pipeline_results: Results) -> None:
    skipped = ModelRetrained(40.0, instance="retrain-0", outcome="skipped", trigger="schedule")
    assert skipped.model_marker() is None
    svg = model_chart_svg(with_events(pipeline_results, skipped))
    assert 'id="model-event-0"' not in svg and "skipped" not in svg


def test_one_version_and_a_marked_event_still_gets_the_chart(
    pipeline_results: Results, shadowed: type[Event]
) -> None:
    one = pipeline_results.model_copy(update={"models": pipeline_results.models[:1]})
    one = one.model_copy(
        update={"timeline": [b.model_copy(update={"model_versions": {}}) for b in one.timeline]}
    )
    assert not tells_more_than_the_timeline(with_events(one))
    event = shadowed(5.0, instance="i")  # type: ignore[call-arg]
    assert tells_more_than_the_timeline(with_events(one, event))
