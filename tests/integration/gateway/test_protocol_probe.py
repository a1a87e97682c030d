"""The start-up protocol check through a real gateway: a mismatch is one clear error."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from protocol_servers import Gateway, ModelServer

from harness.errors import StackStartError
from harness.protocols.mlflow import MlflowProtocol
from harness.protocols.open_inference_v2 import OpenInferenceV2Protocol
from harness.protocols.probe import check_protocol

ROW = np.array([[0.5, -1.0]], dtype=np.float32)
FEATURES = ["a", "b"]


def test_an_mlflow_server_addressed_as_open_inference_v2_is_a_protocol_mismatch(
    model_server: Callable[..., ModelServer], gateway: Callable[..., Gateway]
) -> None:
    server = model_server(speaks="mlflow")
    gw = gateway([{"id": "us-east-1-inference-0", "url": server.url, "health_path": "/ping"}])
    with pytest.raises(StackStartError) as err:
        check_protocol(
            gw.url, OpenInferenceV2Protocol(model="bc"), ROW, FEATURES, "us-east-1 inference"
        )
    assert err.value.message.startswith(
        "protocol mismatch: us-east-1-inference-0 (us-east-1 inference) does not answer as "
        "open-inference-v2: POST /v2/models/bc/infer answered HTTP 404"
    )
    hint = err.value.hint or ""
    assert "a server speaking open-inference-v2 answers POST /v2/models/bc/infer" in hint
    assert "Its answer began: '404: Not Found'" in hint


def test_a_server_speaking_its_protocol_passes(
    model_server: Callable[..., ModelServer], gateway: Callable[..., Gateway]
) -> None:
    server = model_server(speaks="mlflow")
    gw = gateway([{"id": "i-0", "url": server.url, "health_path": "/ping"}])
    check_protocol(gw.url, MlflowProtocol(), ROW, FEATURES, "us-east-1 inference")
    assert server.seen[-1].path == "/invocations"


def test_a_gateway_that_is_not_there_is_named() -> None:
    with pytest.raises(StackStartError, match="could not be reached: POST /invocations"):
        check_protocol("http://127.0.0.1:9", MlflowProtocol(), ROW, FEATURES, "svc", 2.0)
