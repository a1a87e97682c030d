"""A fault whose inject raised half-way is scored from its start and its card shows the error.

The whole path in-process: the schedule over the fakes, the score step (results.json), the
report's fault card, event log and page.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from harness.execute import Execution
from harness.report import html
from harness.report.facts import Fact
from harness.report.model import build_view
from harness.results import Results
from harness.schedule import Schedule
from harness.score.results_of import RunMeta, results_of
from tests.unit.fakes import FakeFailure, fake_run, two_regions

SCENARIO = (
    two_regions("half")
    + """\
faults:
  - {kind: latency, name: slow, target: {region: a}, latency: 100ms, at: 12s, duration: 4s}
"""
)
ERROR = "FakeFailure: add_toxic failed on gateway-to-inference-a-1"


@pytest.fixture
def results(tmp_path: Path) -> Results:
    """The run's results after the inject raised on the second link and the abort reverted it."""
    run = fake_run(tmp_path, SCENARIO)
    schedule = Schedule(run.plan, run.context, run.events, run.clock, sleep=run.clock.sleep)
    run.log.fail("add_toxic", "gateway-to-inference-a-1")
    with pytest.raises(FakeFailure):
        schedule.run(run.plan.duration_s)
    run.clock.sleep(0.5)  # the executor's cleanup comes a moment later
    schedule.revert_all()
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    meta = RunMeta("r", "fake", "harness run half.yaml", now, now, "half.yaml", SCENARIO, tmp_path)
    return results_of(run.plan, Execution([], False, ERROR), run.events, meta)


def test_its_results_have_when_it_was_injected_and_the_error(results: Results) -> None:
    (fault,) = results.faults
    assert (fault.injected_at, fault.reverted_at) == (12.0, 12.5)
    assert fault.inject_error == ERROR
    again = Results.model_validate_json(results.model_dump_json())  # results.json keeps it
    assert again.faults[0].inject_error == ERROR


def test_its_card_shows_the_inject_error(results: Results, tmp_path: Path) -> None:
    (card,) = build_view(results).faults
    assert (card.recovery, card.recovery_css) == ("inject failed", "fail")
    assert Fact("inject error", ERROR, "bad") in card.facts
    assert Fact("injected at", "t+12.00 s") in card.facts
    page = html.write(results, tmp_path / "report").read_text(encoding="utf-8")
    assert "never injected" not in page
    assert f"slow inject failed (latency on region=a): {ERROR}" in page  # the event log
