"""Fixtures for the netproxy integration tests: one real server, a TCP echo upstream, clients."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from toxiproxy import Toxiproxy
from toxiproxy.api import APIConsumer

sys.path.insert(0, str(Path(__file__).parent))

from netproxy_support import EchoServer, Rest, ServerThread


@pytest.fixture(scope="session")
def netproxy() -> Iterator[ServerThread]:
    """The netproxy under test, served in-process on 127.0.0.1:<ephemeral>."""
    thread = ServerThread().start()
    yield thread
    thread.stop()


@pytest.fixture(scope="session")
def echo() -> Iterator[EchoServer]:
    """A real TCP echo upstream on 127.0.0.1:<ephemeral>."""
    server = EchoServer().start()
    yield server
    server.stop()


@pytest.fixture
def api(netproxy: ServerThread) -> Iterator[str]:
    """Base URL of the API; every proxy is deleted after the test."""
    url = f"http://127.0.0.1:{netproxy.port}"
    yield url
    for name in requests.get(f"{url}/proxies", timeout=10).json():
        requests.delete(f"{url}/proxies/{name}", timeout=10)


@pytest.fixture
def toxi(api: str, netproxy: ServerThread) -> Iterator[Toxiproxy]:
    """A toxiproxy-python client pointed at the server (its host/port are class attributes)."""
    client = Toxiproxy()
    client.update_api_consumer("127.0.0.1", netproxy.port)
    yield client
    APIConsumer.host, APIConsumer.port = "127.0.0.1", 8474


@pytest.fixture
def rest(api: str, echo: EchoServer) -> Iterator[Rest]:
    """Plain HTTP access to the API; proxies default to the echo upstream."""
    client = Rest(api, echo.port)
    yield client
    client.session.close()
