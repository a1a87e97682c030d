"""Protocol `harness`: the reference inference service's own (`POST /predict` with `rows`).

Request::

    POST /predict
    {"rows": [[0.1, 2.3, ...], ...]}

Answer (the gateway adds region, instance and attempts)::

    {"predictions": [1, 0], "probabilities": [[0.2, 0.8], [0.9, 0.1]], "model_version": "v3",
     "region": "us-east-1", "instance": "us-east-1-inference-0", "attempts": 1}
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import ClassVar, Literal

import numpy as np
import numpy.typing as npt

from harness.protocols.base import (
    JSON_HEADERS,
    Decoded,
    DecodeError,
    Encoded,
    ProtocolSpec,
    check_status,
    key,
    parse_json,
    predictions_of,
    register_protocol,
)

_META = ("region", "instance")


@register_protocol
class HarnessProtocol(ProtocolSpec):
    """`POST /predict {"rows": [[...], ...]}` → `{"predictions": [...], "model_version": ...}`."""

    kind: Literal["harness"] = "harness"
    health_path: ClassVar[str] = "/readyz"

    def request_path(self) -> str:
        """Always /predict."""
        return "/predict"

    def encode(self, rows: npt.NDArray[np.float32], features: Sequence[str]) -> Encoded:
        """`{"rows": rows}`; the hot path of the reference stack, so one dumps of the array."""
        return Encoded(
            "/predict", b'{"rows":' + json.dumps(rows.tolist()).encode() + b"}", JSON_HEADERS
        )

    def decode(self, status: int, body: bytes, n_rows: int) -> Decoded:
        """`predictions` (n values) and `model_version`; region/instance of the body in `extra`."""
        check_status(status, body)
        doc = parse_json(body)
        preds = predictions_of(key(doc, "predictions"), n_rows, "'predictions'")
        version = doc.get("model_version")
        if version is not None and not isinstance(version, str):
            raise DecodeError(f"'model_version' is {version!r}, not a string")
        extra = {k: doc[k] for k in _META if isinstance(doc.get(k), str)}
        return Decoded(preds, version, extra)
