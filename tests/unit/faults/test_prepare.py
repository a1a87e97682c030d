"""Before the run, every fault is asked what the load needs (`prepare`): no kind is special.

A serving corruption writes its rows to `<run>/corruptions/<fault>.npz` and hands the load its
window; other faults hand nothing; a kind registered by a test is asked like the shipped ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pytest

from harness.corrupt import CorruptionRequest
from harness.faults import (
    Fault,
    FaultContext,
    Preparation,
    PrepareContext,
    prepare_faults,
    register_fault,
)
from harness.pipeline.records import FEATURE_NAMES
from harness.pipeline.serving_skew import corrupt_rows, serving_seed
from harness.scenario.loader import load_scenario
from harness.scenario.plan import Plan, make_plan
from harness.scenario.types import FaultSpecBase

SCENARIO = """\
name: p
seed: 5
stack:
  architecture: active-passive
  regions: [{name: a}, {name: b}]
  pipeline: {}
load:
  rate: 10
  feed: {rate: 10}
  phases: {baseline: 10s, fault: 20s, recovery: 10s}
faults:
  - {kind: corrupt_data, name: skew, target: serving, corruption: scaling, severity: 5,
     at: 12s, duration: 4s}
  - {kind: corrupt_data, name: poison, target: ingest, corruption: label_flip, at: 14s,
     duration: 4s}
  - {kind: latency, name: slow, latency: 100ms, at: 20s, duration: 2s}
"""


def plan_of(tmp_path: Path, text: str = SCENARIO, time_scale: float = 1.0) -> Plan:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    return make_plan(load_scenario(path)[0], time_scale=time_scale)


@pytest.fixture
def holdout(tmp_path: Path) -> Path:
    """A held-out npz like the reference model's: 200 rows of the 20 features, positive values."""
    rng = np.random.default_rng(0)
    path = tmp_path / "holdout.npz"
    X = rng.uniform(1, 2, size=(200, len(FEATURE_NAMES))).astype(np.float32)
    np.savez(path, X=X, y=rng.integers(0, 2, 200))
    return path


def test_a_serving_corruption_writes_its_rows_and_hands_its_window(
    tmp_path: Path, holdout: Path
) -> None:
    plan = plan_of(tmp_path)
    out = tmp_path / "run"
    windows = prepare_faults(PrepareContext(plan, holdout, out)).corruptions
    path = out / "corruptions" / "skew.npz"
    assert windows == ((12.0, 16.0, str(path)),)  # ingest and latency hand the load nothing
    with np.load(path) as data, np.load(holdout) as clean:
        rows, X = data["X"], clean["X"]
    assert rows.shape == X.shape and rows.dtype == np.float32
    scaled = np.isclose(rows, X * 1000)
    assert scaled.mean() == pytest.approx(0.5, abs=0.1)  # scaling s5: half of each column ×1000
    assert np.array_equal(rows[~scaled], X[~scaled])
    request = CorruptionRequest("scaling", severity=5)
    assert np.array_equal(rows, corrupt_rows(request, serving_seed(plan, "skew"), X))


def test_the_window_follows_the_time_scale(tmp_path: Path, holdout: Path) -> None:
    plan = plan_of(tmp_path, time_scale=0.25)
    windows = prepare_faults(PrepareContext(plan, holdout, tmp_path / "run")).corruptions
    assert [w[:2] for w in windows] == [(3.0, 4.0)]


def test_no_fault_prepares_nothing(tmp_path: Path, holdout: Path) -> None:
    text = SCENARIO.split("faults:")[0]
    plan = plan_of(tmp_path, text)
    assert prepare_faults(PrepareContext(plan, holdout, tmp_path / "run")) == Preparation()
    assert not (tmp_path / "run").exists()


class BeaconSpec(FaultSpecBase):
    kind: Literal["beacon"]


@dataclass(eq=False)
class BeaconFault(Fault[BeaconSpec]):
    def prepare(self, ctx: PrepareContext) -> Preparation:
        path = ctx.out_dir / f"{self.name}.npz"
        return Preparation(corruptions=((self.spec.at, self.spec.at + 1, str(path)),))

    def inject(self, ctx: FaultContext) -> None: ...

    def revert(self, ctx: FaultContext) -> None: ...


@pytest.mark.usefixtures("scratch_registry")
def test_a_kind_registered_by_a_test_is_prepared_like_the_others(
    tmp_path: Path, holdout: Path
) -> None:
    register_fault(BeaconFault)
    text = SCENARIO + "  - {kind: beacon, name: ping, at: 25s, duration: 2s}\n"
    plan = plan_of(tmp_path, text)
    windows = prepare_faults(PrepareContext(plan, holdout, tmp_path)).corruptions
    assert [w[:2] for w in windows] == [(12.0, 16.0), (25.0, 26.0)]
