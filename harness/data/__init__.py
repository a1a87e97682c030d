"""The user's labelled rows (`load.dataset`): read, checked, and handed to the run as one npz."""

from harness.data.dataset import DatasetPlan, write_holdout
from harness.data.table import (
    ColumnProblem,
    DatasetError,
    Label,
    Table,
    column_problems,
    feature_columns,
    read_header,
    read_table,
)

__all__ = [
    "ColumnProblem",
    "DatasetError",
    "DatasetPlan",
    "Label",
    "Table",
    "column_problems",
    "feature_columns",
    "read_header",
    "read_table",
    "write_holdout",
]
