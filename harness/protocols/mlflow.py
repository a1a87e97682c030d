"""Protocol `mlflow`: MLflow's scoring server (`mlflow models serve`).

Request (the features are the dataset's columns, in order)::

    POST /invocations
    {"dataframe_split": {"columns": ["mean radius", ...], "data": [[17.99, ...], ...]}}

Answer::

    {"predictions": [0, 1]}

A bare list (`[0, 1]`) is accepted too, and a list of objects (a pyfunc returning a frame,
`[{"label": 0}, ...]`) when `output` names the field (or the objects have one field only).
Health: `GET /ping` answers 200.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt
from pydantic import Field

from harness.protocols.base import (
    JSON_HEADERS,
    Decoded,
    DecodeError,
    Encoded,
    ProtocolSpec,
    check_status,
    dumps,
    key,
    parse_json,
    predictions_of,
    register_protocol,
)


@register_protocol
class MlflowProtocol(ProtocolSpec):
    """`POST /invocations` with `dataframe_split` → `{"predictions": [...]}`."""

    kind: Literal["mlflow"] = "mlflow"
    output: str | None = Field(
        None, description="the field of each prediction object that holds the class"
    )
    health_path: ClassVar[str] = "/ping"

    def request_path(self) -> str:
        """Always /invocations."""
        return "/invocations"

    def encode(self, rows: npt.NDArray[np.float32], features: Sequence[str]) -> Encoded:
        """A `dataframe_split` with the feature names as columns."""
        split = {"columns": list(features), "data": rows.tolist()}
        return Encoded("/invocations", dumps({"dataframe_split": split}), JSON_HEADERS)

    def decode(self, status: int, body: bytes, n_rows: int) -> Decoded:
        """`predictions` of the answer (or the answer itself when it is a list)."""
        check_status(status, body)
        doc = parse_json(body)
        values = doc if isinstance(doc, list) else key(doc, "predictions")
        where = "answer" if isinstance(doc, list) else "'predictions'"
        if isinstance(values, list):
            values = [self._field(v, f"{where}[{i}]") for i, v in enumerate(values)]
        return Decoded(predictions_of(values, n_rows, where))

    def _field(self, value: Any, where: str) -> Any:
        if not isinstance(value, dict):
            return value
        if self.output is not None:
            return key(value, self.output, where)
        if len(value) == 1:
            return next(iter(value.values()))
        raise DecodeError(
            f"{where} is an object with fields {', '.join(map(repr, value))}: "
            "say which holds the class with protocol.output"
        )
