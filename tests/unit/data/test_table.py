"""Reading a user's labelled rows: CSV and Parquet, int and string labels, and every bad file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from harness.data import DatasetError, DatasetPlan, read_header, read_table

IRIS_LIKE = """\
sepal_length,sepal_width,species
5.1,3.5,setosa
7.0,3.2,versicolor
6.3,3.3,virginica
4.9,3.0,setosa
"""


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_csv_with_string_labels_gives_sorted_classes_and_indices(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, IRIS_LIKE), label="species")
    assert table.features == ("sepal_length", "sepal_width")  # all but the label, in order
    assert table.classes == ("setosa", "versicolor", "virginica")
    assert table.y.tolist() == [0, 1, 2, 0] and table.y.dtype == np.int64
    assert table.X.dtype == np.float32 and table.X.shape == (4, 2)
    assert table.X[1].tolist() == pytest.approx([7.0, 3.2])


def test_the_features_named_are_sent_in_the_order_named(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, IRIS_LIKE), "species", ["sepal_width", "sepal_length"])
    assert table.features == ("sepal_width", "sepal_length")
    assert table.X[0].tolist() == pytest.approx([3.5, 5.1])


def test_a_parquet_file_with_int_labels(tmp_path: Path) -> None:
    path = tmp_path / "rows.parquet"
    frame = pd.DataFrame({"target": [3, 1, 3, 7], "a": [1, 2, 3, 4], "b": [0.5, 0.25, 0.0, 1.0]})
    frame.to_parquet(path)
    assert read_header(path) == ("target", "a", "b")
    table = read_table(path, label="target")
    assert table.classes == (1, 3, 7) and all(type(c) is int for c in table.classes)
    assert table.y.tolist() == [1, 0, 1, 2]
    assert table.X.tolist() == [[1, 0.5], [2, 0.25], [3, 0.0], [4, 1.0]]


def test_a_parquet_file_with_string_labels(tmp_path: Path) -> None:
    path = tmp_path / "rows.parquet"
    pd.DataFrame({"x": [0.1, 0.2, 0.3], "label": ["no", "yes", "no"]}).to_parquet(path)
    table = read_table(path)
    assert table.classes == ("no", "yes") and table.y.tolist() == [0, 1, 0]


def test_whole_float_labels_are_ints(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "x,label\n1,1.0\n2,0.0\n"))
    assert table.classes == (0, 1)


def test_the_holdout_is_written_once_into_the_run_folder(tmp_path: Path) -> None:
    plan = DatasetPlan.read(write(tmp_path, IRIS_LIKE), label="species")
    reference = tmp_path / "model" / "holdout.npz"
    path = plan.holdout(tmp_path / "run", reference)
    assert path == tmp_path / "run" / "dataset" / "holdout.npz"
    with np.load(path) as data:
        assert data["X"].dtype == np.float32 and data["X"].shape == (4, 2)
        assert data["y"].dtype == np.int64 and data["y"].tolist() == [0, 1, 2, 0]
    assert plan.source == tmp_path / "data.csv"


def test_without_a_dataset_the_reference_rows_are_used(tmp_path: Path) -> None:
    plan = DatasetPlan.reference()
    assert len(plan.features) == 20 and plan.classes == (0, 1) and plan.source is None
    reference = tmp_path / "holdout.npz"
    assert plan.holdout(tmp_path / "run", reference) == reference
    assert not (tmp_path / "run").exists()


BAD = [
    ("", "data.csv", {}, "the file is empty"),
    ("x,label\n", "data.csv", {}, "0 labelled rows: at least 2 needed"),
    ("x,label\n1,0\n", "data.csv", {}, "1 labelled row: at least 2 needed"),
    ("x,y\n1,0\n2,1\n", "data.csv", {}, "no label column named 'label'"),
    ("x,klass\n1,0\n2,1\n", "data.csv", {"label": "klas"}, "no label column named 'klas'"),
    ("x,x,label\n1,2,0\n2,3,1\n", "data.csv", {}, "column 'x' appears more than once"),
    (
        "age,label\n1,0\n2,1\n",
        "data.csv",
        {"features": ["ages"]},
        "no feature column named 'ages'",
    ),
    ("x,label\n1,0\n2,1\n", "data.csv", {"features": ["label"]}, "'label' is the label"),
    ("x,label\n1,0\n2,1\n", "data.csv", {"features": ["x", "x"]}, "'x' is listed twice"),
    ("x,label\n1,0\n2,\n3,1\n", "data.csv", {}, r"1 row\(s\) have no label .* row 2"),
    ("x,label\n1,0.5\n2,1\n", "data.csv", {}, "holds 0.5: labels are class names"),
    (
        "x,colour,label\n1,1,0\n2,red,1\n",
        "data.csv",
        {},
        "feature column 'colour' is not numeric: row 2 holds 'red'",
    ),
    ("label\n1\n0\n", "data.csv", {}, "no column besides the label"),
    ("x,label\n1,0\n", "data.json", {}, "unknown file type '.json'"),
    ("not parquet at all", "data.parquet", {}, "not a Parquet file"),
]


@pytest.mark.parametrize(("text", "name", "kwargs", "message"), BAD)
def test_a_bad_dataset_is_an_error_naming_the_file(
    tmp_path: Path, text: str, name: str, kwargs: dict[str, object], message: str
) -> None:
    path = write(tmp_path, text, name)
    with pytest.raises(DatasetError, match=message) as info:
        read_table(path, **kwargs)  # type: ignore[arg-type]
    assert str(path) in info.value.render()


def test_did_you_mean_for_a_misspelt_column(tmp_path: Path) -> None:
    path = write(tmp_path, "age,income,label\n1,2,0\n2,3,1\n")
    with pytest.raises(DatasetError) as info:
        read_table(path, features=["age", "incme"])
    assert info.value.hint is not None and "did you mean 'income'?" in info.value.hint
    with pytest.raises(DatasetError) as info:
        read_table(path, label="lable")
    assert info.value.hint is not None and "did you mean 'label'?" in info.value.hint


def test_a_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    with pytest.raises(DatasetError, match="no such file") as info:
        read_header(path)
    assert str(path) in info.value.message


def test_the_header_read_does_not_read_the_rows(tmp_path: Path) -> None:
    # a row that would fail to parse as a feature is not looked at
    path = write(tmp_path, "a, b ,label\n1,oops,0\n")
    assert read_header(path) == ("a", "b", "label")


def test_a_frames_index_written_by_pandas_is_not_a_feature(tmp_path: Path) -> None:
    path = tmp_path / "rows.parquet"
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "label": [0, 1, 0]}, index=[10, 20, 30])
    frame.to_parquet(path)  # stores the index as a column __index_level_0__
    table = read_table(path)
    assert table.features == ("x",) and table.X[:, 0].tolist() == [1.0, 2.0, 3.0]
