"""Drive the real netproxy through toxiproxy-python, with real TCP traffic to an echo upstream."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests
from netproxy_support import (
    EchoServer,
    ServerThread,
    connect,
    recv_exactly,
    refused,
    round_trip,
    wait_closed,
)
from toxiproxy import Toxiproxy
from toxiproxy.api import APIConsumer
from toxiproxy.proxy import Proxy

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


@pytest.fixture
def proxy(toxi: Toxiproxy, echo: EchoServer) -> Proxy:
    """A proxy in front of the echo server on an ephemeral port."""
    return toxi.create(upstream=f"127.0.0.1:{echo.port}", name="echo")


def test_create_list_get_destroy(toxi: Toxiproxy, echo: EchoServer) -> None:
    created = toxi.create(upstream=f"localhost:{echo.port}", name="p1")
    assert created.listen.startswith("127.0.0.1:") and not created.listen.endswith(":0")
    assert created.enabled is True
    assert set(toxi.proxies()) == {"p1"}
    found = toxi.get_proxy("p1")
    assert found is not None and found.upstream == f"localhost:{echo.port}"
    with connect(found.listen) as sock:
        round_trip(sock, b"omg\n")
    assert toxi.destroy(found) is True
    assert toxi.get_proxy("p1") is None


def test_disable_refuses_and_enable_rebinds_same_port(proxy: Proxy) -> None:
    with connect(proxy.listen) as sock:
        round_trip(sock, b"before")
    proxy.disable()
    assert refused(proxy.listen)
    proxy.enable()
    with connect(proxy.listen) as sock:
        round_trip(sock, b"after")


def test_down_context_closes_live_connections(proxy: Proxy) -> None:
    sock = connect(proxy.listen)
    round_trip(sock, b"x")
    with proxy.down():
        # Closed before the disable response returned: EOF (or reset) right away.
        assert wait_closed(sock) == b""
        assert refused(proxy.listen)
    with connect(proxy.listen) as again:
        round_trip(again, b"y")
    sock.close()


def test_reset_reenables_and_empties_toxics(toxi: Toxiproxy, proxy: Proxy) -> None:
    proxy.disable()
    proxy.add_toxic(type="latency", attributes={"latency": 123})
    assert proxy.get_toxic("latency_downstream").attributes["latency"] == 123
    assert toxi.reset() is True
    assert proxy.toxics() == {}
    assert toxi.get_proxy("echo").enabled is True
    with connect(proxy.listen) as sock:
        round_trip(sock, b"back")


def test_version(toxi: Toxiproxy) -> None:
    assert toxi.version() == b'{"version": "2.12.0"}\n'


@pytest.mark.parametrize("stream", ["downstream", "upstream"])
def test_latency_delays_round_trip(proxy: Proxy, stream: str) -> None:
    proxy.add_toxic(type="latency", stream=stream, attributes={"latency": 100})
    with connect(proxy.listen) as sock:
        assert round_trip(sock, b"omg\n") >= 0.100


def test_latency_toxics_stack(proxy: Proxy) -> None:
    proxy.add_toxic(name="a", type="latency", attributes={"latency": 60})
    proxy.add_toxic(name="b", type="latency", attributes={"latency": 60})
    proxy.add_toxic(name="c", type="latency", stream="upstream", attributes={"latency": 60})
    with connect(proxy.listen) as sock:
        assert round_trip(sock, b"stack") >= 0.180


def test_toxic_added_to_live_connection_applies(proxy: Proxy) -> None:
    with connect(proxy.listen) as sock:
        round_trip(sock, b"warm")
        proxy.add_toxic(type="latency", attributes={"latency": 150})
        assert round_trip(sock, b"now slow") >= 0.150


def test_timeout_drops_data_then_closes(proxy: Proxy) -> None:
    proxy.add_toxic(type="timeout", attributes={"timeout": 200})
    with connect(proxy.listen) as sock:
        start = time.perf_counter()
        sock.sendall(b"into the void")
        assert wait_closed(sock) == b""
        assert time.perf_counter() - start >= 0.200


def test_timeout_zero_holds_connection_until_removed(proxy: Proxy) -> None:
    proxy.add_toxic(type="timeout", attributes={"timeout": 0})
    with connect(proxy.listen) as sock:
        sock.sendall(b"dropped")
        sock.settimeout(0.3)
        with pytest.raises(socket.timeout):
            sock.recv(100)
        sock.settimeout(10)
        proxy.destroy_toxic("timeout_downstream")
        # Dropped bytes would corrupt the stream, so removal closes the connection.
        assert wait_closed(sock) == b""


def test_toxicity_zero_never_applies(proxy: Proxy) -> None:
    proxy.add_toxic(type="timeout", toxicity=0.0, attributes={"timeout": 0})
    with connect(proxy.listen) as sock:
        round_trip(sock, b"untouched")


def test_removing_latency_in_flight_loses_no_bytes(proxy: Proxy) -> None:
    proxy.add_toxic(type="latency", attributes={"latency": 400})
    payload = bytes(range(256)) * 4096  # 1 MiB
    with connect(proxy.listen) as sock:
        sender = threading.Thread(target=sock.sendall, args=(payload,))
        sender.start()
        time.sleep(0.15)  # bytes are now held in the latency stage
        proxy.destroy_toxic("latency_downstream")
        assert recv_exactly(sock, len(payload)) == payload
        sender.join()


def test_no_bytes_dropped_while_toxics_change(proxy: Proxy) -> None:
    payload = bytes(i % 251 for i in range(3 * 1024 * 1024))
    received = bytearray()
    with connect(proxy.listen) as sock:
        reader = threading.Thread(target=lambda: received.extend(recv_exactly(sock, len(payload))))
        reader.start()
        sender = threading.Thread(target=_send_slowly, args=(sock, payload))
        sender.start()
        while sender.is_alive():
            _churn_toxics(proxy)
        sender.join()
        reader.join(timeout=30)
    assert len(received) == len(payload)
    assert bytes(received) == payload


def test_failed_dial_closes_client(toxi: Toxiproxy) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]  # bound, never listening: connects are refused
        broken = toxi.create(upstream=f"127.0.0.1:{dead_port}", name="broken")
        with connect(broken.listen) as sock:
            assert wait_closed(sock) == b""


def test_multiple_toxics_of_same_type(proxy: Proxy) -> None:
    proxy.add_toxic(name="one", type="latency", attributes={"latency": 1})
    proxy.add_toxic(name="two", type="latency", attributes={"latency": 2})
    assert set(proxy.toxics()) == {"one", "two"}
    assert proxy.destroy_toxic("one") is True
    assert set(proxy.toxics()) == {"two"}


def test_closed_connections_are_forgotten(proxy: Proxy, netproxy: ServerThread) -> None:
    proxy.add_toxic(type="latency", attributes={"latency": 1})
    socks = [connect(proxy.listen) for _ in range(20)]
    for sock in socks:
        round_trip(sock, b"hi")
        sock.close()
    live = netproxy.server.collection.get("echo") if netproxy.server else None
    assert live is not None
    deadline = time.monotonic() + 10
    while (live.connections or live.toxics.live_links) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert (live.connections, live.toxics.live_links) == (0, 0)


def test_client_half_close_closes_whole_connection(proxy: Proxy) -> None:
    # Like Toxiproxy: no half-close propagation, EOF one way closes both sockets.
    with connect(proxy.listen) as sock:
        round_trip(sock, b"before")
        sock.shutdown(socket.SHUT_WR)
        assert wait_closed(sock) == b""


def _send_slowly(sock: socket.socket, payload: bytes) -> None:
    step = 64 * 1024
    for i in range(0, len(payload), step):
        sock.sendall(payload[i : i + step])
        time.sleep(0.005)


def _churn_toxics(proxy: Proxy) -> None:
    proxy.add_toxic(name="lat_down", type="latency", attributes={"latency": 20, "jitter": 10})
    proxy.add_toxic(name="lat_up", type="latency", stream="upstream", attributes={"latency": 5})
    proxy.add_toxic(name="noop_up", type="noop", stream="upstream", toxicity=0.5)
    url = f"http://{APIConsumer.host}:{APIConsumer.port}/proxies/{proxy.name}/toxics/lat_down"
    requests.patch(url, json={"attributes": {"latency": 30}}, timeout=10).raise_for_status()
    time.sleep(0.01)
    proxy.destroy_toxic("lat_up")
    proxy.destroy_toxic("lat_down")
    proxy.destroy_toxic("noop_up")
