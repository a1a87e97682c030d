"""The HTTP contract of the real server, checked with plain requests: codes, bodies, quirks."""

from __future__ import annotations

import pytest
from netproxy_support import Rest, assert_error, connect, free_port, refused, round_trip

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


def test_status_code_split(rest: Rest) -> None:
    proxy = rest.create()
    assert proxy["toxics"] == [] and proxy["enabled"] is True
    assert rest.call("GET", "/proxies").status_code == 200
    toxic = rest.call("POST", "/proxies/p/toxics", {"type": "latency"})
    assert toxic.status_code == 200
    assert rest.call("DELETE", "/proxies/p/toxics/latency_downstream").status_code == 204
    assert rest.call("POST", "/reset").status_code == 204
    resp = rest.call("DELETE", "/proxies/p")
    assert resp.status_code == 204 and resp.content == b""


def test_version_body_and_request_id(rest: Rest) -> None:
    resp = rest.call("GET", "/version")
    assert resp.content == b'{"version": "2.12.0"}\n'
    assert resp.headers["Content-Type"] == "application/json;charset=utf-8"
    assert resp.headers["X-Toxiproxy-Request-Id"]


def test_unknown_path_and_wrong_method(rest: Rest) -> None:
    resp = rest.call("GET", "/not_found")
    assert resp.status_code == 404 and resp.text == "404 page not found\n"
    resp = rest.call("PUT", "/version")
    assert resp.status_code == 405 and resp.content == b""
    assert rest.call("GET", "/proxies/").status_code == 404


def test_browser_user_agent_forbidden(rest: Rest) -> None:
    resp = rest.session.get(
        f"{rest.base}/proxies", headers={"User-Agent": "Mozilla/5.0 (X11)"}, timeout=10
    )
    assert resp.status_code == 403 and resp.text == "User agent not allowed\n"


def test_proxy_errors(rest: Rest) -> None:
    assert_error(rest.call("POST", "/proxies", raw=b""), 400, "bad request body: EOF")
    assert_error(
        rest.call("POST", "/proxies", {"upstream": "x:1"}),
        400,
        "missing required field: name",
    )
    assert_error(
        rest.call("POST", "/proxies", {"name": "n"}), 400, "missing required field: upstream"
    )
    assert_error(rest.call("GET", "/proxies/nope"), 404, "proxy not found")
    assert_error(rest.call("DELETE", "/proxies/nope"), 404, "proxy not found")
    rest.create()
    assert_error(
        rest.call("POST", "/proxies", {"name": "p", "upstream": "a:1"}),
        409,
        "proxy already exists",
    )


def test_port_conflict_is_500(rest: Rest) -> None:
    port = int(rest.create()["listen"].split(":")[1])
    body = {"name": "q", "upstream": "127.0.0.1:1", "listen": f"127.0.0.1:{port}"}
    assert_error(
        rest.call("POST", "/proxies", body),
        500,
        f"listen tcp 127.0.0.1:{port}: bind: address already in use",
    )
    assert_error(rest.call("GET", "/proxies/q"), 404, "proxy not found")


def test_listen_rewriting(rest: Rest) -> None:
    for i, listen in enumerate(["localhost:0", "", ":0", "0.0.0.0:0", "[::]:0"]):
        proxy = rest.create(name=f"l{i}", listen=listen)
        host, port = proxy["listen"].rsplit(":", 1)
        assert host == "127.0.0.1" and int(port) > 0
    missing = {"name": "m", "upstream": rest.upstream}
    assert rest.call("POST", "/proxies", missing).json()["listen"].startswith("127.0.0.1:")
    disabled = rest.create(name="off", listen="localhost:3310", enabled=False)
    assert disabled["listen"] == "localhost:3310" and disabled["enabled"] is False
    body = {"name": "bad", "upstream": "127.0.0.1:1", "listen": "local373"}
    assert_error(
        rest.call("POST", "/proxies", body),
        500,
        "listen tcp: address local373: missing port in address",
    )
    body = {"name": "far", "upstream": "127.0.0.1:1", "listen": "10.1.2.3:0"}
    assert rest.call("POST", "/proxies", body).status_code == 500


def test_case_insensitive_keys_and_nulls(rest: Rest) -> None:
    body = {
        "Name": "ci",
        "UPSTREAM": rest.upstream,
        "Listen": None,
        "enabled": None,
        "toxics": None,
        "Logger": {},
    }
    proxy = rest.call("POST", "/proxies", body).json()
    assert proxy["name"] == "ci" and proxy["enabled"] is True
    toxic = rest.call(
        "POST",
        "/proxies/ci/toxics",
        {
            "Type": "latency",
            "Stream": "UpStream",
            "Attributes": {"Latency": 7},
            "toxicity": None,
            "name": None,
        },
    ).json()
    assert toxic == {
        "attributes": {"latency": 7, "jitter": 0},
        "name": "latency_UpStream",
        "type": "latency",
        "stream": "UpStream",
        "toxicity": 1,
    }


def test_toxic_errors(rest: Rest) -> None:
    rest.create()
    path = "/proxies/p/toxics"
    assert_error(
        rest.call("POST", "/proxies/nope/toxics", {"type": "noop"}), 404, "proxy not found"
    )
    assert_error(
        rest.call("POST", path, {"type": "latency", "stream": "lolstream"}),
        400,
        "stream was invalid, can be either upstream or downstream",
    )
    assert_error(
        rest.call("POST", path, {"type": "latency", "stream": ""}),
        400,
        "stream was invalid, can be either upstream or downstream",
    )
    assert_error(rest.call("POST", path, {"type": "down"}), 400, "invalid toxic type")
    assert_error(
        rest.call("POST", path, raw=b"{"),
        400,
        "bad request body: Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)",
    )
    assert rest.call("POST", path, {"name": "x", "type": "noop"}).status_code == 200
    dup = {"name": "x", "type": "latency", "stream": "upstream"}
    assert_error(rest.call("POST", path, dup), 409, "toxic already exists")
    assert_error(rest.call("GET", path + "/nope"), 404, "toxic not found")
    assert_error(rest.call("DELETE", path + "/nope"), 404, "toxic not found")
    resp = rest.call("POST", path, {"type": "latency", "attributes": {"latncy": 1}})
    assert resp.status_code == 400 and "did you mean 'latency'" in resp.json()["error"]


def test_toxic_shape_and_order(rest: Rest) -> None:
    rest.create()
    rest.call("POST", "/proxies/p/toxics", {"type": "noop", "attributes": None})
    rest.call("POST", "/proxies/p/toxics", {"type": "timeout", "stream": "upstream"})
    rest.call("POST", "/proxies/p/toxics", {"type": "latency", "toxicity": 0.3})
    toxics = rest.call("GET", "/proxies/p/toxics").json()
    assert [t["name"] for t in toxics] == [
        "timeout_upstream",
        "noop_downstream",
        "latency_downstream",
    ]
    assert toxics[0]["attributes"] == {"timeout": 0}
    assert toxics[1]["attributes"] == {}
    assert toxics[2]["toxicity"] == 0.3
    assert rest.call("GET", "/proxies/p").json()["toxics"] == toxics


def test_partial_patch_merges_toxic(rest: Rest) -> None:
    rest.create()
    rest.call(
        "POST",
        "/proxies/p/toxics",
        {
            "name": "l",
            "type": "latency",
            "toxicity": 0.5,
            "attributes": {"latency": 100, "jitter": 10},
        },
    )
    resp = rest.call(
        "PATCH",
        "/proxies/p/toxics/l",
        {"attributes": {"latency": 200}, "name": "ignored", "stream": "upstream"},
    )
    assert resp.status_code == 200
    assert resp.json() == {
        "attributes": {"latency": 200, "jitter": 10},
        "name": "l",
        "type": "latency",
        "stream": "downstream",
        "toxicity": 0.5,
    }
    resp = rest.call("POST", "/proxies/p/toxics/l", {"toxicity": 1})
    assert resp.json()["attributes"] == {"latency": 200, "jitter": 10}
    assert resp.json()["toxicity"] == 1
    assert_error(rest.call("PATCH", "/proxies/p/toxics/l", raw=b""), 400, "bad request body: EOF")


def test_proxy_update_partial_and_toxics_ignored(rest: Rest) -> None:
    proxy = rest.create()
    resp = rest.call("PATCH", "/proxies/p", {"enabled": False, "toxics": [{"x": 1}]})
    assert resp.status_code == 200
    assert resp.json() == {**proxy, "enabled": False}
    assert refused(proxy["listen"])
    resp = rest.call("POST", "/proxies/p", {"enabled": True})
    assert resp.json()["listen"] == proxy["listen"]
    new_port = free_port()
    moved = rest.call("PATCH", "/proxies/p", {"listen": f"localhost:{new_port}"}).json()
    assert moved["listen"] == f"127.0.0.1:{new_port}" and moved["enabled"] is True
    with connect(moved["listen"]) as sock:
        round_trip(sock, b"moved")
