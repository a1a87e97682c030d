"""A fault kind added in one file (this one) runs through validation, schedule, score and report.

Nothing else is edited: the kind is registered here, after every harness module was imported,
and forgotten after the test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest
from pydantic import Field

from harness.errors import ScenarioError
from harness.execute import Execution
from harness.faults import FAULTS, Fault, FaultContext, register_fault
from harness.load.samples import Sample
from harness.report import html
from harness.report.model import build_view
from harness.results import Results
from harness.scenario.loader import load_scenario
from harness.scenario.types import FaultSpecBase
from harness.schedule import Schedule
from harness.score.results_of import RunMeta, results_of
from tests.unit.fakes import fake_run, two_regions


class BlackholeSpec(FaultSpecBase):
    """Every link into the target goes down for `duration`."""

    kind: Literal["blackhole"]
    depth: int = Field(1, ge=1, description="how far down (the test only checks the bound)")


@dataclass(eq=False)
class BlackholeFault(Fault[BlackholeSpec]):
    """Cuts the target's links through the stack's primitives, and brings them back."""

    cut: list[str] = field(default_factory=list, init=False)

    def inject(self, ctx: FaultContext) -> None:
        for link in ctx.topology.select_links(self.spec.target):
            self.cut.append(link.name)
            ctx.stack.cut(link)

    def revert(self, ctx: FaultContext) -> None:
        while self.cut:
            ctx.stack.restore(self.cut.pop())


SCENARIO = (
    two_regions("blackhole")
    + """\
faults:
  - {kind: blackhole, name: hole, target: {region: a}, depth: DEPTH, at: 12s, duration: 4s}
scoring: {stabilisation: 1s}
slos:
  - {metric: availability, objective: ">= 80%"}
"""
)


@pytest.fixture(autouse=True)
def blackhole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registered now, long after import; the registry is the shipped one again afterwards."""
    monkeypatch.setattr(FAULTS, "_items", dict(FAULTS._items))
    register_fault(BlackholeFault)


def samples() -> list[Sample]:
    """10 req/s for 30 s, failing while region a was cut off (12 s to 16 s)."""
    out = []
    for i in range(300):
        t = i / 10
        ok = not 12 <= t < 16
        out.append(Sample(t, t + 0.01, ok, 200 if ok else 503, 10.0))
    return out


def test_its_own_field_errors_are_located(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("DEPTH", "0"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (error,) = info.value.errors
    assert error.location is not None and error.location.line == 11
    assert "greater than or equal to 1" in error.message


def test_it_runs_scores_and_reports_like_a_shipped_kind(tmp_path: Path) -> None:
    run = fake_run(tmp_path, SCENARIO.replace("DEPTH", "2"))  # validated by the loader
    before = run.links()
    schedule = Schedule(run.plan, run.context, run.events, run.clock, sleep=run.clock.sleep)
    schedule.run(run.plan.duration_s)
    assert run.links() == before
    assert sorted(run.log.on("disable")) == ["gateway-to-inference-a-0", "gateway-to-inference-a-1"]

    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    meta = RunMeta(
        "r", "fake", "harness run blackhole.yaml", now, now, "b.yaml", SCENARIO, tmp_path
    )
    results = results_of(run.plan, Execution(samples(), True, None), run.events, meta)
    results = Results.model_validate_json(results.model_dump_json())  # through results.json
    (fault,) = results.faults
    assert (fault.kind, fault.injected_at, fault.reverted_at) == ("blackhole", 12.0, 16.0)
    assert (fault.requests, fault.errors, fault.recovered) == (40, 40, True)
    assert fault.time_to_recover_s == pytest.approx(4.0, abs=0.11)
    assert results.slos[0].passed  # 260 of 300

    (card,) = build_view(results).faults
    assert (card.kind, card.target, card.recovery_css) == ("blackhole", "on region=a", "pass")
    page = html.write(results, tmp_path / "report").read_text(encoding="utf-8")
    assert "hole injected (blackhole on region=a)" in page
