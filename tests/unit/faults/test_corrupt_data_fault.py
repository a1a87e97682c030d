"""corrupt_data on ingest reaches the feed through its context (not the stack), and lets go."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from harness.events import DataCorrupted
from harness.faults import FAULTS, FaultContext
from harness.pipeline.feed import Feed
from harness.scenario.plan import FeedPlan
from tests.unit.corrupt.conftest import make_ingest
from tests.unit.fakes import FakeRun, fake_run

SCENARIO = """\
name: c
stack:
  architecture: single-region
  regions: [{name: a}]
  pipeline: {}
load:
  rate: 10
  feed: {rate: 10}
  phases: {baseline: 10s, fault: 10s, recovery: 10s}
faults:
  - {kind: corrupt_data, name: poison, target: ingest, corruption: label_flip, severity: 5,
     at: 12s, duration: 4s}
"""


@pytest.fixture
def run(tmp_path: Path) -> FakeRun:
    return fake_run(tmp_path, SCENARIO)


def context(run: FakeRun, feed: Feed | None) -> FaultContext:
    return FaultContext(run.stack, run.events, random.Random(1), run.clock, feed)


def poison(run: FakeRun):  # type: ignore[no-untyped-def]
    sf = run.plan.faults[0]
    return FAULTS.get(sf.spec.kind)(sf.spec, sf.name)


def test_ingest_corruption_swaps_the_feed_of_its_context_and_reverts(run: FakeRun) -> None:
    feed = Feed(FeedPlan(10, 10, 1.0), make_ingest(200), [], run.clock, 1.0)
    fault = poison(run)
    fault.inject(context(run, feed))
    assert feed.source is not feed.clean
    flipped = (feed.source["label"] != feed.clean["label"]).mean()
    assert flipped == pytest.approx(0.5, abs=0.1)  # label_flip s5: the severity's half
    (event,) = run.emitted(DataCorrupted)
    assert event.where == "ingest" and "stream records" in event.detail  # type: ignore[attr-defined]
    fault.revert(context(run, feed))
    assert feed.source is feed.clean and feed.mangle is None


def test_ingest_corruption_without_a_feed_says_so(run: FakeRun) -> None:
    with pytest.raises(RuntimeError, match="needs a feed"):
        poison(run).inject(context(run, None))
