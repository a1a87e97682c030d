"""Protocol `http-json`: a request template and a path to the predictions."""

from __future__ import annotations

import json

import numpy as np
import pytest
from pydantic import ValidationError

from harness.protocols.base import DecodeError
from harness.protocols.http_json import HttpJsonProtocol, parse_path

ROWS = np.array([[0.5, 1.0], [2.0, -1.5]], dtype=np.float32)


def test_template_is_filled_and_posted_to_the_path_with_its_query() -> None:
    p = HttpJsonProtocol(
        path="/api/score?v=2",
        request={"instances": "{rows}", "columns": "{features}", "meta": {"n": 1, "s": "x"}},
        health="/health",
    )
    enc = p.encode(ROWS, ["a", "b"])
    assert enc.path == "/api/score?v=2"
    assert json.loads(enc.body) == {
        "instances": [[0.5, 1.0], [2.0, -1.5]],
        "columns": ["a", "b"],
        "meta": {"n": 1, "s": "x"},
    }
    assert p.default_health_path() == "/health"


def test_one_row_template() -> None:
    p = HttpJsonProtocol(path="/score", request={"x": "{row}"}, prediction="label")
    assert p.one_row
    assert json.loads(p.encode(ROWS[:1], []).body) == {"x": [0.5, 1.0]}
    assert p.decode(200, b'{"label": "yes"}', 1).predictions == ["yes"]


@pytest.mark.parametrize(
    ("path", "answer", "n", "expected"),
    [
        ("predictions", {"predictions": [1, 0]}, 2, [1, 0]),
        ("outputs[0].data", {"outputs": [{"data": [0, 1]}]}, 2, [0, 1]),
        ("results[*].label", {"results": [{"label": "a"}, {"label": "b"}]}, 2, ["a", "b"]),
        ("$.p", {"p": [[0.1, 0.9]]}, 1, [[0.1, 0.9]]),
        ("p", {"p": [0.1, 0.9]}, 1, [[0.1, 0.9]]),  # one row's probability vector
        ("[1]", [[9, 9], [1, 0]], 2, [1, 0]),
    ],
)
def test_prediction_path(path: str, answer: object, n: int, expected: list[object]) -> None:
    p = HttpJsonProtocol(path="/score", prediction=path)
    assert p.decode(200, json.dumps(answer).encode(), n).predictions == expected


@pytest.mark.parametrize(
    ("path", "answer", "reason"),
    [
        ("outputs[0].data", {"outputs": []}, "answer.outputs has 0 element(s), no [0]"),
        ("outputs[0].data", {"outputs": [{"value": 1}]}, "answer.outputs[0] has no 'data'"),
        ("predictions", {"predictions": [1, 0, 1]}, "'predictions' holds 3 prediction(s)"),
        ("predictions", [1, 0], "answer has no 'predictions' (a list)"),
    ],
)
def test_malformed_answers_say_why(path: str, answer: object, reason: str) -> None:
    with pytest.raises(DecodeError) as err:
        HttpJsonProtocol(path="/score", prediction=path).decode(200, json.dumps(answer).encode(), 2)
    assert err.value.reason.startswith(reason)


def test_bad_settings_are_validation_errors() -> None:
    with pytest.raises(ValidationError, match="bad path 'outputs\\[0\\]data'"):
        HttpJsonProtocol(path="/score", prediction="outputs[0]data")
    with pytest.raises(ValidationError, match="must start with '/'"):
        HttpJsonProtocol(path="score")
    with pytest.raises(ValueError, match="empty"):
        parse_path("$")
