"""Address parsing mirrors Go's net package; everything binds and dials 127.0.0.1 only."""

from __future__ import annotations

import pytest

from harness.netproxy.addr import (
    AddressError,
    listen_port,
    normalize_listen,
    split_host_port,
    upstream_port,
)


@pytest.mark.parametrize(
    ("addr", "expected"),
    [("localhost:80", ("localhost", "80")), (":0", ("", "0")), ("[::]:5", ("::", "5"))],
)
def test_split_host_port(addr: str, expected: tuple[str, str]) -> None:
    assert split_host_port(addr) == expected


@pytest.mark.parametrize(
    ("addr", "message"),
    [
        ("local373", "address local373: missing port in address"),
        ("a:b:1", "address a:b:1: too many colons in address"),
        ("[::1", "address [::1: missing ']' in address"),
    ],
)
def test_split_host_port_errors(addr: str, message: str) -> None:
    with pytest.raises(AddressError, match=message.replace("[", r"\[")):
        split_host_port(addr)


@pytest.mark.parametrize(
    ("listen", "port"),
    [("", 0), (":0", 0), (":7", 7), ("0.0.0.0:8", 8), ("[::]:9", 9), ("localhost:10", 10)],
)
def test_wildcards_and_localhost_bind_loopback(listen: str, port: int) -> None:
    assert listen_port(listen) == port
    assert normalize_listen(listen) == f"127.0.0.1:{port}"


def test_listen_errors_read_like_go() -> None:
    with pytest.raises(AddressError, match=r"^listen tcp: address local373: missing port"):
        listen_port("local373")
    with pytest.raises(AddressError, match=r"binds 127\.0\.0\.1 only"):
        listen_port("192.168.1.2:80")
    with pytest.raises(AddressError, match="unknown port"):
        listen_port("localhost:http")
    assert normalize_listen("garbage") == "garbage"


def test_upstreams_stay_on_loopback() -> None:
    assert upstream_port("localhost:5000") == 5000
    assert upstream_port("127.0.0.1:5001") == 5001
    with pytest.raises(AddressError, match=r"dials 127\.0\.0\.1 only"):
        upstream_port("example.com:80")
