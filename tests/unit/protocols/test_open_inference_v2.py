"""Protocol `open-inference-v2`: the request tensor, MLServer's answers, and bad ones."""

from __future__ import annotations

import json

import numpy as np
import pytest
from pydantic import ValidationError

from harness.protocols.base import DecodeError
from harness.protocols.field import parse_protocol
from harness.protocols.open_inference_v2 import OpenInferenceV2Protocol

ROWS = np.array([[0.5, 1.0, 2.0], [2.0, -1.5, 0.0]], dtype=np.float32)
# What MLServer 1.7.1 with mlserver-sklearn answered (reference/model-servers.md).
MLSERVER = {
    "model_name": "bc",
    "id": "5f0c",
    "parameters": {},
    "outputs": [
        {
            "name": "predict",
            "shape": [2, 1],
            "datatype": "INT64",
            "parameters": {"content_type": "np"},
            "data": [0, 1],
        }
    ],
}


def test_encode_one_named_tensor_flat_row_major() -> None:
    p = OpenInferenceV2Protocol(model="bc")
    enc = p.encode(ROWS, ["a", "b", "c"])
    assert enc.path == "/v2/models/bc/infer"
    assert json.loads(enc.body) == {
        "inputs": [
            {
                "name": "input-0",
                "shape": [2, 3],
                "datatype": "FP32",
                "data": [0.5, 1.0, 2.0, 2.0, -1.5, 0.0],
            }
        ]
    }


def test_settings_version_input_and_datatype() -> None:
    p = parse_protocol(
        {
            "kind": "open-inference-v2",
            "model": "bc",
            "version": "2",
            "input": "x",
            "datatype": "FP64",
        }
    )
    enc = p.encode(ROWS, [])
    tensor = json.loads(enc.body)["inputs"][0]
    assert enc.path == "/v2/models/bc/versions/2/infer"
    assert (tensor["name"], tensor["datatype"]) == ("x", "FP64")
    assert p.default_health_path() == "/v2/health/ready"


def test_model_is_required_and_datatype_checked() -> None:
    with pytest.raises(ValidationError, match="model"):
        parse_protocol("open-inference-v2")
    with pytest.raises(ValidationError, match="FP32"):
        OpenInferenceV2Protocol(model="bc", datatype="INT8")  # type: ignore[arg-type]


def test_decode_mlserver_answer() -> None:
    out = OpenInferenceV2Protocol(model="bc").decode(200, json.dumps(MLSERVER).encode(), 2)
    assert out.predictions == [0, 1]


def test_decode_named_output_of_probabilities_and_version() -> None:
    answer = {
        "model_name": "bc",
        "model_version": "7",
        "outputs": [
            {"name": "predict", "shape": [2, 1], "datatype": "INT64", "data": [0, 1]},
            {"name": "proba", "shape": [2, 2], "datatype": "FP64", "data": [0.9, 0.1, 0.3, 0.7]},
        ],
    }
    p = OpenInferenceV2Protocol(model="bc", output="proba")
    out = p.decode(200, json.dumps(answer).encode(), 2)
    assert out.predictions == [[0.9, 0.1], [0.3, 0.7]] and out.model_version == "7"


def test_nested_data_is_flattened() -> None:
    answer = {"outputs": [{"name": "predict", "shape": [2, 1], "data": [[0], [1]]}]}
    out = OpenInferenceV2Protocol(model="bc").decode(200, json.dumps(answer).encode(), 2)
    assert out.predictions == [0, 1]


@pytest.mark.parametrize(
    ("status", "answer", "reason"),
    [
        (200, b"not json", "answer is not JSON"),
        (200, {"predictions": [0, 1]}, "answer has no 'outputs' (keys: 'predictions')"),
        (200, {"outputs": []}, "'outputs' is a list, not a non-empty list"),
        (200, {"outputs": [{"name": "predict"}]}, "output 'predict' has no 'data'"),
        (
            200,
            {"outputs": [{"name": "predict", "shape": [3, 1], "data": [0, 1, 1]}]},
            "output 'predict' holds 3 value(s) (shape [3, 1]) for 2 row(s)",
        ),
        (200, {"outputs": [{"name": "p", "data": "01"}]}, "output 'p' data is a string"),
        (404, b'{"detail":"Not Found"}', 'HTTP 404: {"detail":"Not Found"}'),
        (400, {"error": "Model bc not found"}, "HTTP 400: Model bc not found"),
    ],
)
def test_malformed_answers_say_why(status: int, answer: object, reason: str) -> None:
    body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
    with pytest.raises(DecodeError) as err:
        OpenInferenceV2Protocol(model="bc").decode(status, body, 2)
    assert err.value.reason.startswith(reason)


def test_a_missing_named_output_lists_the_outputs() -> None:
    p = OpenInferenceV2Protocol(model="bc", output="proba")
    with pytest.raises(DecodeError, match="no output named 'proba' \\(outputs: 'predict'\\)"):
        p.decode(200, json.dumps(MLSERVER).encode(), 2)
