"""`harness validate` on load.dataset: the file, its columns (did you mean, at the YAML line),
and serving corruptions naming the dataset's own columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import ScenarioError
from harness.scenario.loader import load_scenario
from harness.scenario.plan import make_plan

CSV = "age,income,churned\n31,52000,no\n45,61000,yes\n27,38000,no\n"

# Line numbers matter: the tests below name them.
SCENARIO = """\
name: churn
stack:
  architecture: active-passive
  regions: [{name: a}, {name: b}]
load:
  rate: 10
  phases: {baseline: 10s, fault: 20s, recovery: 10s}
  dataset:
    path: data/churn.csv
    label: churned
    features: [income, age]
faults:
  - kind: corrupt_data
    target: serving
    corruption: gaussian_noise
    columns: [income]
    at: 12s
    duration: 5s
"""


def scenario_file(tmp_path: Path, text: str = SCENARIO, csv: str | None = CSV) -> Path:
    """The scenario in tmp_path/s/, its CSV beside it in s/data/ (paths resolve from s/)."""
    folder = tmp_path / "s"
    (folder / "data").mkdir(parents=True)
    if csv is not None:
        (folder / "data" / "churn.csv").write_text(csv)
    path = folder / "p.yaml"
    path.write_text(text)
    return path


def errors_of(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    data = str(path.parent / "data" / "churn.csv")
    return [
        e.render().replace(data, "churn.csv").replace(str(path), "p.yaml")
        for e in info.value.errors
    ]


def test_a_good_dataset_validates_and_the_plan_has_its_columns(tmp_path: Path) -> None:
    scenario, _ = load_scenario(scenario_file(tmp_path))
    plan = make_plan(scenario)
    assert plan.dataset.features == ("income", "age")
    assert plan.dataset.classes == ("no", "yes")
    assert plan.dataset.source == tmp_path / "s" / "data" / "churn.csv"


def test_a_misspelt_label_points_at_its_line(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, SCENARIO.replace("label: churned", "label: churn"))
    assert errors_of(path) == [
        "p.yaml:10:12: dataset churn.csv: no label column named 'churn'\n"
        "  hint: did you mean 'churned'? (known: age, income, churned)"
    ]


def test_a_misspelt_feature_points_at_its_item(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, SCENARIO.replace("[income, age]", "[income, aeg]"))
    assert errors_of(path) == [
        "p.yaml:11:24: dataset churn.csv: no feature column named 'aeg'\n"
        "  hint: did you mean 'age'? (known: age, income)"
    ]


def test_a_missing_file_points_at_the_path(tmp_path: Path) -> None:
    errors = errors_of(scenario_file(tmp_path, csv=None))
    assert len(errors) == 1
    assert errors[0].startswith("p.yaml:9:11: dataset churn.csv: no such file")


def test_a_bare_path_is_the_file_and_bad_rows_are_found_at_validate(tmp_path: Path) -> None:
    text = SCENARIO.replace(
        "  dataset:\n    path: data/churn.csv\n    label: churned\n    features: [income, age]\n",
        "  dataset: data/churn.csv\n",
    ).replace("columns: [income]", "columns: [age]")
    path = scenario_file(tmp_path, text, csv="age,label\n31,0\n,1\nold,1\n")
    assert errors_of(path) == [
        "p.yaml:8:12: dataset churn.csv: feature column 'age' is not numeric: row 3 holds 'old'\n"
        "  hint: features are sent as numbers: encode it, or leave it out of "
        "load.dataset.features"
    ]


def test_serving_columns_are_the_datasets_with_did_you_mean(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, SCENARIO.replace("columns: [income]", "columns: [incom]"))
    assert errors_of(path) == [
        "p.yaml:16:15: no column named 'incom'\n  hint: did you mean 'income'?"
    ]


def test_a_reference_feature_is_not_a_column_of_the_dataset(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, SCENARIO.replace("columns: [income]", "columns: [amount]"))
    assert errors_of(path) == ["p.yaml:16:15: no column named 'amount'\n  hint: known: income, age"]


def test_an_unreadable_dataset_is_one_error_not_one_per_column(tmp_path: Path) -> None:
    errors = errors_of(scenario_file(tmp_path, csv=""))
    assert [e.split("\n")[0] for e in errors] == [
        "p.yaml:9:11: dataset churn.csv: the file is empty"
    ]


def test_without_a_dataset_serving_columns_are_the_reference_features(tmp_path: Path) -> None:
    text = SCENARIO.replace(
        "  dataset:\n    path: data/churn.csv\n    label: churned\n    features: [income, age]\n",
        "",
    )
    path = scenario_file(tmp_path, text.replace("columns: [income]", "columns: [amout]"))
    assert errors_of(path) == [
        "p.yaml:12:15: no column named 'amout'\n  hint: did you mean 'amount'?"
    ]


def test_ingest_columns_stay_the_reference_records_whatever_the_dataset(tmp_path: Path) -> None:
    text = (
        SCENARIO.replace(
            "  regions: [{name: a}, {name: b}]\n",
            "  regions: [{name: a}, {name: b}]\n  pipeline: {}\n",
        )
        .replace("  rate: 10\n", "  rate: 10\n  feed: {rate: 10}\n")
        .replace("target: serving", "target: ingest")
    )
    load_scenario(scenario_file(tmp_path, text.replace("columns: [income]", "columns: [amount]")))
    other = tmp_path / "other"
    other.mkdir()
    path = scenario_file(other, text)  # income is the dataset's, not a record field
    assert [e.split("\n")[0] for e in errors_of(path)] == ["p.yaml:18:15: no column named 'income'"]
