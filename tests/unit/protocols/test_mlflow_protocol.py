"""Protocol `mlflow`: dataframe_split requests and the scoring server's answers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from harness.protocols.base import DecodeError
from harness.protocols.mlflow import MlflowProtocol

ROWS = np.array([[0.5, 1.0], [2.0, -1.5]], dtype=np.float32)


def test_encode_dataframe_split_with_the_feature_names() -> None:
    enc = MlflowProtocol().encode(ROWS, ["mean radius", "mean texture"])
    assert enc.path == "/invocations"
    assert json.loads(enc.body) == {
        "dataframe_split": {
            "columns": ["mean radius", "mean texture"],
            "data": [[0.5, 1.0], [2.0, -1.5]],
        }
    }
    assert MlflowProtocol().default_health_path() == "/ping"


@pytest.mark.parametrize(
    ("answer", "output", "expected"),
    [
        ({"predictions": [0, 1]}, None, [0, 1]),  # what mlflow 3.17 answered here
        ([0, 1], None, [0, 1]),
        ({"predictions": ["benign", "malignant"]}, None, ["benign", "malignant"]),
        (
            {"predictions": [{"label": 1, "score": 0.9}, {"label": 0, "score": 0.8}]},
            "label",
            [1, 0],
        ),
        ([{"label": 1}, {"label": 0}], None, [1, 0]),
        ({"predictions": [[0.2, 0.8], [0.6, 0.4]]}, None, [[0.2, 0.8], [0.6, 0.4]]),
    ],
)
def test_decode_answers(answer: object, output: str | None, expected: list[object]) -> None:
    out = MlflowProtocol(output=output).decode(200, json.dumps(answer).encode(), 2)
    assert out.predictions == expected


@pytest.mark.parametrize(
    ("status", "answer", "reason"),
    [
        (200, b"", "answer is not JSON: ''"),
        (200, {"outputs": [0, 1]}, "answer has no 'predictions' (keys: 'outputs')"),
        (200, {"predictions": [0]}, "'predictions' holds 1 prediction(s) for 2 row(s)"),
        (200, [{"a": 1, "b": 2}, {"a": 0, "b": 1}], "answer[0] is an object with fields 'a', 'b'"),
        (404, b"<html>Not Found</html>", "HTTP 404: <html>Not Found</html>"),
        (
            400,
            {"error_code": "BAD_REQUEST", "message": "Invalid input"},
            'HTTP 400: {"error_code"',
        ),
    ],
)
def test_malformed_answers_say_why(status: int, answer: object, reason: str) -> None:
    body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
    with pytest.raises(DecodeError) as err:
        MlflowProtocol().decode(status, body, 2)
    assert err.value.reason.startswith(reason)
