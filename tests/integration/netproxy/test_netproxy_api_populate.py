"""POST /populate and POST /reset semantics against the real server."""

from __future__ import annotations

import pytest
from netproxy_support import JSON, Rest, connect, round_trip

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


def test_populate(rest: Rest) -> None:
    up = rest.upstream
    first = rest.call(
        "POST",
        "/populate",
        [
            {"name": "a", "listen": "localhost:0", "upstream": up},
            {"name": "b", "listen": "127.0.0.1:0", "upstream": up, "enabled": False},
        ],
    )
    assert first.status_code == 201 and first.headers["Content-Type"] == JSON
    a, b = first.json()["proxies"]
    assert a["enabled"] is True and b["enabled"] is False
    rest.call("POST", "/proxies/a/toxics", {"type": "noop"})
    rest.call("PATCH", "/proxies/a", {"enabled": False})
    again = rest.call(
        "POST",
        "/populate",
        [
            {"name": "a", "listen": a["listen"].replace("127.0.0.1", "localhost"), "upstream": up},
            {"name": "b", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:9"},
        ],
    )
    a2, b2 = again.json()["proxies"]
    assert a2["enabled"] is False and [t["name"] for t in a2["toxics"]] == ["noop_downstream"]
    assert b2["upstream"] == "127.0.0.1:9" and b2["enabled"] is True
    assert rest.call("POST", "/populate", []).json() == {"proxies": []}


def test_populate_errors(rest: Rest) -> None:
    up = rest.upstream
    resp = rest.call("POST", "/populate", [{"name": "x", "upstream": up}, {"upstream": up}])
    assert resp.status_code == 400 and resp.headers["Content-Type"] == JSON
    assert resp.json() == {
        "error": "missing required field: name at proxy 2",
        "status": 400,
        "proxies": [],
    }
    assert rest.call("GET", "/proxies/x").status_code == 404
    taken = int(rest.create(name="taken")["listen"].split(":")[1])
    resp = rest.call(
        "POST",
        "/populate",
        [
            {"name": "ok", "listen": "127.0.0.1:0", "upstream": up},
            {"name": "clash", "listen": f"127.0.0.1:{taken}", "upstream": up},
            {"name": "never", "listen": "127.0.0.1:0", "upstream": up},
        ],
    )
    body = resp.json()
    assert resp.status_code == 500 and body["status"] == 500
    assert [p["name"] for p in body["proxies"]] == ["ok"]
    assert rest.call("GET", "/proxies/ok").status_code == 200
    assert rest.call("GET", "/proxies/never").status_code == 404


def test_reset_keeps_proxies_and_port(rest: Rest) -> None:
    proxy = rest.create()
    rest.call("PATCH", "/proxies/p", {"enabled": False})
    rest.call("POST", "/proxies/p/toxics", {"type": "latency"})
    assert rest.call("POST", "/reset").status_code == 204
    after = rest.call("GET", "/proxies/p").json()
    assert after == {**proxy, "enabled": True, "toxics": []}
    with connect(after["listen"]) as sock:
        round_trip(sock, b"reset")
