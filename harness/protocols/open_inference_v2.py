"""Protocol `open-inference-v2`: the KServe / Seldon MLServer / Triton REST protocol.

Request (one named tensor of shape [rows, features], data flat in row-major order)::

    POST /v2/models/bc/infer            (/v2/models/bc/versions/2/infer with `version: "2"`)
    {"inputs": [{"name": "input-0", "shape": [2, 30], "datatype": "FP32",
                 "data": [17.99, 10.38, ...60 numbers...]}]}

Answer (MLServer with a scikit-learn model)::

    {"model_name": "bc", "id": "...", "parameters": {},
     "outputs": [{"name": "predict", "shape": [2, 1], "datatype": "INT64",
                  "parameters": {"content_type": "np"}, "data": [0, 1]}]}

The first output (or the one `output` names) is read: n values are the classes, n x k values
of shape [n, k] are class probabilities. Health: `GET /v2/health/ready` answers 200.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal
from urllib.parse import quote

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
    type_name,
)


@register_protocol
class OpenInferenceV2Protocol(ProtocolSpec):
    """`POST /v2/models/{model}/infer` with one named tensor → `outputs[0].data`."""

    kind: Literal["open-inference-v2"] = "open-inference-v2"
    model: str = Field(min_length=1, description="the model's name on the server")
    version: str | None = Field(None, description="the model version (default: the server's)")
    input: str = Field("input-0", min_length=1, description="the input tensor's name")
    datatype: Literal["FP32", "FP64"] = Field("FP32", description="the input tensor's datatype")
    output: str | None = Field(None, description="the output to read (default: the first)")
    health_path: ClassVar[str] = "/v2/health/ready"

    def request_path(self) -> str:
        """`/v2/models/{model}[/versions/{version}]/infer`."""
        model = f"/v2/models/{quote(self.model, safe='')}"
        if self.version is not None:
            model += f"/versions/{quote(self.version, safe='')}"
        return model + "/infer"

    def encode(self, rows: npt.NDArray[np.float32], features: Sequence[str]) -> Encoded:
        """One tensor `input` of shape [n, f], its data flat."""
        tensor = {
            "name": self.input,
            "shape": list(rows.shape),
            "datatype": self.datatype,
            "data": rows.ravel().tolist(),
        }
        return Encoded(self.request_path(), dumps({"inputs": [tensor]}), JSON_HEADERS)

    def decode(self, status: int, body: bytes, n_rows: int) -> Decoded:
        """The chosen output's data: n classes, or [n, k] probabilities."""
        check_status(status, body)
        doc = parse_json(body)
        out = self._output(key(doc, "outputs"))
        name = f"output {out.get('name', '?')!r}"
        data = _flat(key(out, "data", name), f"{name} data")
        values: list[Any] = data
        if len(data) != n_rows:
            shape = out.get("shape")
            width = shape[-1] if isinstance(shape, list) and shape else None
            if not isinstance(width, int) or width < 1 or len(data) != n_rows * width:
                raise DecodeError(
                    f"{name} holds {len(data)} value(s) (shape {shape}) for {n_rows} row(s)"
                )
            values = [data[i * width : (i + 1) * width] for i in range(n_rows)]
        version = doc.get("model_version")
        return Decoded(
            predictions_of(values, n_rows, f"{name} data"),
            version if isinstance(version, str) else None,
        )

    def _output(self, outputs: Any) -> dict[str, Any]:
        if not isinstance(outputs, list) or not outputs:
            raise DecodeError(f"'outputs' is {type_name(outputs)}, not a non-empty list")
        if not all(isinstance(o, dict) for o in outputs):
            raise DecodeError("'outputs' holds something other than objects")
        if self.output is None:
            first: dict[str, Any] = outputs[0]
            return first
        for out in outputs:
            if out.get("name") == self.output:
                return dict(out)
        names = ", ".join(repr(o.get("name")) for o in outputs)
        raise DecodeError(f"no output named {self.output!r} (outputs: {names})")


def _flat(data: Any, where: str) -> list[Any]:
    """A tensor's data, nested lists flattened in row-major order."""
    if not isinstance(data, list):
        raise DecodeError(f"{where} is {type_name(data)}, not a list")
    if not any(isinstance(v, list) for v in data):
        return data
    flat: list[Any] = []
    for v in data:
        flat.extend(_flat(v, where) if isinstance(v, list) else [v])
    return flat
