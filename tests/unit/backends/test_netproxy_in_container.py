"""Inside a harness container the netproxy binds every interface and dials container names."""

from __future__ import annotations

import pytest

from harness.netproxy.addr import (
    AddressError,
    bind_host,
    normalize_listen,
    upstream_host,
    upstream_port,
)


def test_outside_a_container_everything_stays_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HARNESS_IN_CONTAINER", raising=False)
    assert bind_host() == "127.0.0.1"
    assert normalize_listen("0.0.0.0:10000") == "127.0.0.1:10000"
    assert upstream_host("localhost:80") == "127.0.0.1"
    with pytest.raises(AddressError, match=r"dials 127\.0\.0\.1 only"):
        upstream_port("inference-us-east-1-0:8080")


def test_inside_a_container_names_are_dialled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARNESS_IN_CONTAINER", "1")
    assert bind_host() == "0.0.0.0"
    assert normalize_listen(":10000") == "0.0.0.0:10000"
    assert upstream_port("inference-us-east-1-0:8080") == 8080
    assert upstream_host("inference-us-east-1-0:8080") == "inference-us-east-1-0"
    assert upstream_host("localhost:80") == "127.0.0.1"
