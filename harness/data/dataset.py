"""What a run knows of its labelled rows: the feature columns, the classes, the held-out npz.

With `load.dataset` these are the user's file's; without it, the reference model's held-out
rows (the reference features, classes 0 and 1). The load, the serving corruptions and drift all
read the one npz (`X` float32, `y` int64 indices into `classes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from harness.data.table import Label, Table, read_table
from harness.reference.contract import FEATURE_NAMES

REFERENCE_CLASSES: tuple[Label, ...] = (0, 1)
FOLDER = "dataset"  # under the run folder: the user's rows as the load reads them
HOLDOUT = "holdout.npz"


@dataclass(frozen=True)
class DatasetPlan:
    """The labelled rows of a run: columns in order, classes, and (the user's) rows read."""

    features: tuple[str, ...]
    classes: tuple[Label, ...]
    table: Table | None = field(default=None, compare=False, repr=False)

    @classmethod
    def reference(cls) -> DatasetPlan:
        """The reference model's held-out rows: its 20 features, classes (0, 1)."""
        return cls(tuple(FEATURE_NAMES), REFERENCE_CLASSES)

    @classmethod
    def read(
        cls, path: Path, label: str = "label", features: Sequence[str] | None = None
    ) -> DatasetPlan:
        """The user's file, read once (a DatasetError names the file and what is wrong)."""
        table = read_table(path, label, features)
        return cls(table.features, table.classes, table)

    @property
    def source(self) -> Path | None:
        """The user's file, or None for the reference rows."""
        return None if self.table is None else self.table.path

    def holdout(self, out_dir: Path, reference: Path) -> Path:
        """The npz the load sends: the user's rows written once into the run folder, else `reference`.

        `reference` is the reference model's holdout.npz (harness.reference.contract.build_model).
        """
        if self.table is None:
            return reference
        path = out_dir / FOLDER / HOLDOUT
        if not path.is_file():
            write_holdout(self.table, path)
        return path


def write_holdout(table: Table, path: Path) -> None:
    """Write `X` (float32) and `y` (int64 class indices) as the load worker reads them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, X=table.X.astype(np.float32), y=table.y.astype(np.int64))
