"""`harness validate` on `load.dataset`: the file reads, and the columns named are in it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.data.dataset import DatasetPlan
from harness.data.table import DatasetError, column_problems, feature_columns, read_header

if TYPE_CHECKING:
    from harness.scenario.dataset import DatasetSpec
    from harness.scenario.yaml_source import YamlPath

DatasetIssue = tuple["YamlPath", str, "str | None"]
WHERE: tuple[str, ...] = ("load", "dataset")


def check_dataset(spec: DatasetSpec | None) -> tuple[list[DatasetIssue], tuple[str, ...]]:
    """(problems at their YAML paths, the feature columns faults may name).

    Without a dataset: no problems, the reference features. A file that cannot be read gives no
    features, so checks against them (corrupt_data's columns) say nothing more about it.
    """
    if spec is None:
        return [], DatasetPlan.reference().features
    try:
        header = read_header(spec.path)
    except DatasetError as exc:
        return [((*WHERE, "path"), exc.message, exc.hint)], ()
    problems = column_problems(header, spec.label, spec.features)
    named = feature_columns(header, spec.label, spec.features)
    features = tuple(c for c in named if c in header and c != spec.label)
    if problems:
        return [
            ((*WHERE, *p.field), f"dataset {spec.path}: {p.message}", p.hint) for p in problems
        ], features
    try:  # the rows too: a non-numeric feature or a missing label is better found now
        DatasetPlan.read(spec.path, spec.label, spec.features)
    except DatasetError as exc:
        return [((*WHERE, "path"), exc.message, exc.hint)], features
    return [], features
