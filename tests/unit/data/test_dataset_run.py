"""A dataset with its own column names through the run's data paths (no stack): the serving
corruption corrupts the column it names, and drift reports each feature by the user's name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from harness.faults import PrepareContext, prepare_faults
from harness.load.samples import Sample
from harness.scenario.loader import load_scenario
from harness.scenario.plan import Plan, make_plan
from harness.score.drift_scores import drift

SCENARIO = """\
name: churn
seed: 4
stack:
  architecture: active-passive
  regions: [{name: a}, {name: b}]
load:
  rate: 40
  phases: {baseline: 30s, fault: 70s, recovery: 30s}
  dataset: {path: churn.csv, label: churned}
faults:
  - {kind: corrupt_data, name: skew, target: serving, corruption: scaling, severity: 5,
     columns: [income], at: 40s, duration: 40s}
"""


def plan_of(tmp_path: Path, rows: int = 5000) -> Plan:
    g = np.random.default_rng(1)
    pd.DataFrame(
        {
            "age": g.normal(40, 10, rows).round(1),
            "income": g.lognormal(10, 0.5, rows).round(2),
            "churned": g.choice(["no", "yes"], rows),
            "tenure": g.exponential(3, rows).round(2),
        }
    ).to_csv(tmp_path / "churn.csv", index=False)
    path = tmp_path / "p.yaml"
    path.write_text(SCENARIO)
    return make_plan(load_scenario(path)[0])


def samples_of(plan: Plan, rows: int) -> list[Sample]:
    """Every request answered, row i % rows, the skew's rows while its window lasts."""
    rate = plan.scenario.load.rate
    window = plan.faults[0]
    out = []
    for i in range(round(plan.duration_s * rate)):
        t = i / rate
        name = window.name if window.at <= t < window.end else None
        out.append(Sample(t, t + 0.01, True, 200, 10.0, row=i % rows, corruption=name))
    return out


def test_the_serving_corruption_corrupts_the_dataset_column_it_names(tmp_path: Path) -> None:
    plan = plan_of(tmp_path)
    out = tmp_path / "run"
    holdout = plan.dataset.holdout(out, tmp_path / "unused.npz")
    windows = prepare_faults(PrepareContext(plan, holdout, out)).corruptions
    assert windows == ((40.0, 80.0, str(out / "corruptions" / "skew.npz")),)
    with np.load(windows[0][2]) as bad, np.load(holdout) as clean:
        rows, X = bad["X"], clean["X"]
    assert plan.dataset.features == ("age", "income", "tenure")
    income = plan.dataset.features.index("income")
    changed = (rows != X).any(axis=0)
    assert changed.tolist() == [c == income for c in range(3)]
    assert np.isclose(rows[:, income], X[:, income] * 1000).mean() == pytest.approx(0.5, abs=0.1)


def test_drift_is_reported_per_feature_by_the_users_column_names(tmp_path: Path) -> None:
    plan = plan_of(tmp_path)
    out = tmp_path / "run"
    holdout = plan.dataset.holdout(out, tmp_path / "unused.npz")
    prepare_faults(PrepareContext(plan, holdout, out))
    result = drift(plan, samples_of(plan, 5000), holdout, out)
    assert result is not None
    assert result.features == ["age", "income", "tenure"]
    inside = [w for w, win in enumerate(result.windows) if win.start_s >= 40 and win.end_s <= 80]
    outside = [w for w, win in enumerate(result.windows) if win.end_s <= 40 or win.start_s >= 80]
    assert inside and outside
    psi = dict(zip(result.features, result.psi, strict=True))
    assert all((psi["income"][w] or 0) >= 0.25 for w in inside)  # the corrupted column drifts
    assert all((psi["age"][w] or 0) < 0.25 and (psi["tenure"][w] or 0) < 0.25 for w in inside)
    assert all(max(row[w] or 0 for row in result.psi) < 0.25 for w in outside)


def test_the_load_spec_carries_the_datasets_columns_and_classes(tmp_path: Path) -> None:
    import json

    from harness.load.spec import LoadSpec

    plan = plan_of(tmp_path, rows=50)
    spec = LoadSpec(
        "http://127.0.0.1:9",
        str(tmp_path / "h.npz"),
        10,
        5,
        0.0,
        1,
        1.0,
        features=plan.dataset.features,
        classes=plan.dataset.classes,
    )
    back = LoadSpec.from_dict(json.loads(spec.to_json()))
    assert back.features == ("age", "income", "tenure") and back.classes == ("no", "yes")
    assert back == spec
