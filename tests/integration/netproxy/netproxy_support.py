"""Test helpers: a netproxy served from a background event loop, and a TCP echo upstream."""

from __future__ import annotations

import asyncio
import json
import socket
import socketserver
import threading
import time
from typing import Any

import requests

from harness.netproxy import NetProxyServer, serve


class ServerThread:
    """Runs `serve(port=0)` in its own loop on a daemon thread, so sync clients can drive it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: NetProxyServer | None = None

    def start(self) -> ServerThread:
        self.thread.start()
        self.server = self.call(serve("127.0.0.1", 0, seed=1))
        return self

    def call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=30)

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.port

    def stop(self) -> None:
        if self.server is not None:
            self.call(self.server.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


class _EchoHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while data := sock.recv(65536):
                sock.sendall(data)
        except OSError:
            pass


class EchoServer(socketserver.ThreadingTCPServer):
    """Echoes every byte back on 127.0.0.1:<ephemeral>."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _EchoHandler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> EchoServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def connect(listen: str, timeout: float = 10.0) -> socket.socket:
    """Open a TCP connection to a proxy's `listen` ("127.0.0.1:N") with TCP_NODELAY."""
    host, port = listen.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def recv_exactly(sock: socket.socket, n: int) -> bytes:
    """Read exactly n bytes (fails the test on EOF)."""
    buf = bytearray()
    while len(buf) < n:
        data = sock.recv(n - len(buf))
        assert data, f"EOF after {len(buf)} of {n} bytes"
        buf += data
    return bytes(buf)


def round_trip(sock: socket.socket, payload: bytes) -> float:
    """Send `payload`, read its echo, and return the elapsed seconds."""
    start = time.perf_counter()
    sock.sendall(payload)
    assert recv_exactly(sock, len(payload)) == payload
    return time.perf_counter() - start


def wait_closed(sock: socket.socket) -> bytes:
    """Read until the peer closes; return whatever arrived (a reset counts as closed)."""
    received = bytearray()
    try:
        while data := sock.recv(65536):
            received += data
    except ConnectionResetError:
        pass
    return bytes(received)


def refused(listen: str) -> bool:
    """Whether a TCP connect to `listen` is refused."""
    try:
        connect(listen, timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


JSON = "application/json"
ERROR_TYPE = "text/plain; charset=utf-8"


class Rest:
    """Plain HTTP calls to the API, as a non-browser client (Toxiproxy refuses Mozilla/*)."""

    def __init__(self, base: str, echo_port: int) -> None:
        self.base = base
        self.upstream = f"127.0.0.1:{echo_port}"
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "toxiproxy-cli"

    def call(
        self, method: str, path: str, body: Any = None, raw: bytes | None = None
    ) -> requests.Response:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        return self.session.request(method, self.base + path, data=data, timeout=10)

    def create(self, name: str = "p", **extra: Any) -> dict[str, Any]:
        """Create a proxy to the echo server on an ephemeral port; assert the 201."""
        body = {"name": name, "upstream": self.upstream, "listen": "127.0.0.1:0", **extra}
        resp = self.call("POST", "/proxies", body)
        assert resp.status_code == 201, resp.text
        return dict(resp.json())


def assert_error(resp: requests.Response, status: int, message: str) -> None:
    """Check an ApiError response: status, Go's text/plain type, exact JSON line."""
    assert resp.status_code == status
    assert resp.headers["Content-Type"] == ERROR_TYPE
    assert resp.text == f'{{"error":"{message}","status":{status}}}\n'


def free_port() -> int:
    """Return a port that was free a moment ago on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
