"""Protocol `tfserving`: TensorFlow Serving's REST predict API (row format).

Request::

    POST /v1/models/bc:predict          (/v1/models/bc/versions/2:predict with `version: 2`)
    {"instances": [[17.99, 10.38, ...], ...]}     (+ "signature_name" when `signature` is set)

Answer::

    {"predictions": [[0.1, 0.9], [0.8, 0.2]]}     (class probabilities, or one class per row)

Health: `GET /v1/models/{model}` (the model's status) answers 200.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal
from urllib.parse import quote

import numpy as np
import numpy.typing as npt
from pydantic import Field

from harness.protocols.base import (
    JSON_HEADERS,
    Decoded,
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
class TfServingProtocol(ProtocolSpec):
    """`POST /v1/models/{model}:predict {"instances": rows}` → `{"predictions": [...]}`."""

    kind: Literal["tfserving"] = "tfserving"
    model: str = Field(min_length=1, description="the model's name on the server")
    version: int | None = Field(None, ge=1, description="the model version (default: latest)")
    signature: str | None = Field(None, description="the signature_name (default: the server's)")

    def _model_path(self) -> str:
        path = f"/v1/models/{quote(self.model, safe='')}"
        return path if self.version is None else f"{path}/versions/{self.version}"

    def default_health_path(self) -> str:
        """The model's status: `GET /v1/models/{model}`."""
        return self._model_path()

    def request_path(self) -> str:
        """`/v1/models/{model}[/versions/{version}]:predict`."""
        return self._model_path() + ":predict"

    def encode(self, rows: npt.NDArray[np.float32], features: Sequence[str]) -> Encoded:
        """`instances`: one list of numbers per row."""
        doc: dict[str, Any] = {"instances": rows.tolist()}
        if self.signature is not None:
            doc["signature_name"] = self.signature
        return Encoded(self.request_path(), dumps(doc), JSON_HEADERS)

    def decode(self, status: int, body: bytes, n_rows: int) -> Decoded:
        """`predictions`: one class or probability vector per row."""
        check_status(status, body)
        doc = parse_json(body)
        return Decoded(predictions_of(key(doc, "predictions"), n_rows, "'predictions'"))
