"""A real gateway in front of a model server speaking another protocol: paths, bodies, headers."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import requests
from protocol_servers import Gateway, ModelServer

V2_BODY = {
    "inputs": [{"name": "input-0", "shape": [2, 2], "datatype": "FP32", "data": [1, 0, -1, 0]}]
}


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_any_post_path_is_forwarded_with_its_query_and_content_type(
    model_server: Callable[..., ModelServer], gateway: Callable[..., Gateway]
) -> None:
    server = model_server(speaks="open-inference-v2")
    gw = gateway(
        [{"id": "us-east-1-inference-0", "url": server.url, "health_path": "/v2/health/ready"}]
    )
    body = json.dumps(V2_BODY).encode()
    resp = requests.post(
        f"{gw.url}/v2/models/bc/infer?trace=1",
        data=body,
        headers={"Content-Type": "application/json; charset=utf-8"},
        timeout=5,
    )
    assert resp.status_code == 200
    # the body comes back as the server wrote it: nothing merged into a foreign protocol
    assert resp.json()["outputs"][0]["data"] == [1, 0]
    assert set(resp.json()) == {"model_name", "id", "outputs"}
    assert resp.headers["X-Harness-Region"] == "us-east-1"
    assert resp.headers["X-Harness-Instance"] == "us-east-1-inference-0"
    assert resp.headers["X-Harness-Attempts"] == "1"
    seen = server.seen[-1]
    assert seen.path == "/v2/models/bc/infer?trace=1"
    assert seen.content_type == "application/json; charset=utf-8"
    assert seen.body == body


def test_a_4xx_passes_through_with_the_headers(
    model_server: Callable[..., ModelServer], gateway: Callable[..., Gateway]
) -> None:
    server = model_server(speaks="mlflow")
    gw = gateway([{"id": "i-0", "url": server.url, "health_path": "/ping"}])
    resp = requests.post(f"{gw.url}/v2/models/bc/infer", json=V2_BODY, timeout=5)
    assert resp.status_code == 404
    assert resp.headers["X-Harness-Instance"] == "i-0"
    assert resp.headers["X-Harness-Attempts"] == "1"


def test_a_2xx_that_is_not_json_is_a_failed_attempt(
    model_server: Callable[..., ModelServer], gateway: Callable[..., Gateway]
) -> None:
    bad = model_server(garbage=True)
    gw = gateway([{"id": "bad-0", "url": bad.url, "health_path": "/v2/health/ready"}])
    resp = requests.post(f"{gw.url}/v2/models/bc/infer", json=V2_BODY, timeout=5)
    assert resp.status_code == 503
    assert resp.json()["failures"] == ["bad-0: bad JSON body"]
    assert resp.headers["X-Harness-Instance"] == "bad-0"


def test_health_is_checked_on_the_instance_s_own_path_and_status(
    model_server: Callable[..., ModelServer], gateway: Callable[..., Gateway]
) -> None:
    v2 = model_server(speaks="open-inference-v2")
    odd = model_server(speaks="mlflow", ready_status=204)
    gw = gateway(
        [
            {"id": "v2-0", "url": v2.url, "health_path": "/v2/health/ready"},
            {"id": "odd-0", "url": odd.url, "health_path": "/ping", "health_status": 204},
            {"id": "wrong-0", "url": v2.url},  # default /readyz: the V2 server answers 404
        ]
    )

    def healthy() -> dict[str, bool]:
        return {i["id"]: i["healthy"] for i in gw.state()["regions"][0]["instances"]}

    wait_for(lambda: healthy() == {"v2-0": True, "odd-0": True, "wrong-0": False})
    wrong = gw.state()["regions"][0]["instances"][2]
    assert wrong["last_error"] == "HTTP 404 on /readyz (expected 200)"
