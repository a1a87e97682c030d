"""Protocol `tfserving`: instances in, predictions out."""

from __future__ import annotations

import json

import numpy as np
import pytest

from harness.protocols.base import DecodeError
from harness.protocols.tfserving import TfServingProtocol

ROWS = np.array([[0.5, 1.0], [2.0, -1.5]], dtype=np.float32)


def test_encode_instances_on_the_model_path() -> None:
    p = TfServingProtocol(model="bc")
    enc = p.encode(ROWS, ["a", "b"])
    assert enc.path == "/v1/models/bc:predict"
    assert json.loads(enc.body) == {"instances": [[0.5, 1.0], [2.0, -1.5]]}
    assert p.default_health_path() == "/v1/models/bc"


def test_version_and_signature() -> None:
    p = TfServingProtocol(model="bc", version=3, signature="serving_default")
    enc = p.encode(ROWS, [])
    assert enc.path == "/v1/models/bc/versions/3:predict"
    assert json.loads(enc.body)["signature_name"] == "serving_default"
    assert p.default_health_path() == "/v1/models/bc/versions/3"


def test_decode_probabilities_and_classes() -> None:
    p = TfServingProtocol(model="bc")
    probs = p.decode(200, b'{"predictions": [[0.1, 0.9], [0.8, 0.2]]}', 2)
    assert probs.predictions == [[0.1, 0.9], [0.8, 0.2]]
    assert p.decode(200, b'{"predictions": [[1], [0]]}', 2).predictions == [1, 0]


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (200, b'{"outputs": [1, 0]}', "answer has no 'predictions' (keys: 'outputs')"),
        (200, b'{"predictions": [[1, 0]]}', "'predictions' holds 1 prediction(s) for 2 row(s)"),
        (200, b"{", "answer is not JSON"),
        (404, b'{"error": "Servable not found for request: Latest(bc)"}', "HTTP 404: Servable"),
    ],
)
def test_malformed_answers_say_why(status: int, body: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as err:
        TfServingProtocol(model="bc").decode(status, body, 2)
    assert err.value.reason.startswith(reason)
