"""Protocol `harness`: our /predict wire form and its answers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from harness.protocols.base import DecodeError
from harness.protocols.harness import HarnessProtocol

ROWS = np.array([[0.5, 1.0], [2.0, -1.5]], dtype=np.float32)
P = HarnessProtocol()


def test_encode_is_rows_on_predict() -> None:
    enc = P.encode(ROWS, ["a", "b"])
    assert enc.path == "/predict"
    assert json.loads(enc.body) == {"rows": [[0.5, 1.0], [2.0, -1.5]]}
    assert enc.headers["Content-Type"] == "application/json"


def test_decode_predictions_version_and_where_it_was_served() -> None:
    body = json.dumps(
        {"predictions": [1, 0], "model_version": "v3", "region": "eu", "instance": "eu-0"}
    ).encode()
    out = P.decode(200, body, 2)
    assert out.predictions == [1, 0] and out.model_version == "v3"
    assert out.extra == {"region": "eu", "instance": "eu-0"}


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (200, b"<html>oops", "answer is not JSON: '<html>oops'"),
        (200, b"[1]", "answer is not a JSON object but a list"),
        (200, b'{"preds": [1]}', "answer has no 'predictions' (keys: 'preds')"),
        (200, b'{"predictions": [1, 0, 1]}', "'predictions' holds 3 prediction(s) for 2 row(s)"),
        (200, b'{"predictions": 1}', "'predictions' is a number, not a list"),
        (200, b'{"predictions": [1, {"a": 1}]}', "'predictions'[1] is an object"),
        (404, b"404: Not Found", "HTTP 404: 404: Not Found"),
        (503, b'{"error": "no instance could serve the request"}', "HTTP 503: no instance"),
    ],
)
def test_malformed_answers_say_why(status: int, body: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as err:
        P.decode(status, body, 2)
    assert err.value.reason.startswith(reason)
