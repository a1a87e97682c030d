"""`load.dataset`: the user's labelled rows (CSV or Parquet) the load sends and accuracy judges."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from harness.scenario.paths import ScenarioPath
from harness.scenario.types import StrictModel


class DatasetSpec(StrictModel):
    """A CSV or Parquet file with a label column; the feature columns are sent in order."""

    path: ScenarioPath = Field(description="a .csv or .parquet file")
    label: str = Field("label", description="the column holding the label")
    features: list[str] | None = Field(
        None, min_length=1, description="the columns sent, in order; default: all but the label"
    )

    @model_validator(mode="before")
    @classmethod
    def _path_only(cls, value: Any) -> Any:
        return {"path": value} if isinstance(value, str) else value
