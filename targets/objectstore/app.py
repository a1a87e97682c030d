"""The WSGI layer in front of moto: /healthz, /readyz and /metrics answered here, S3 below."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from targets.common.metrics import Registry

__all__ = ["PROBE_PATHS", "ProbedApp", "StoreState"]

PROBE_PATHS = ("/healthz", "/readyz", "/metrics")  # shadow S3 buckets of those names, by design

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class StoreState:
    """Readiness and request counts; shared by the request threads, so guarded by a lock."""

    def __init__(self, region: str) -> None:
        self.region = region
        self.ready = False  # true once the buckets exist
        self.draining = False
        self.registry = Registry()
        self._requests = self.registry.counter(
            "objectstore_requests_total", "Requests by method and status code.", ("method", "code")
        )
        self._lock = threading.Lock()

    def count(self, method: str, status: str) -> None:
        """Count one answered request (`status` is the WSGI status line)."""
        with self._lock:
            self._requests.inc(method, status.split(" ", 1)[0])

    def metrics_text(self) -> str:
        """Render the registry in Prometheus text format."""
        with self._lock:
            return self.registry.render()


def _nodelay_of(environ: dict[str, Any]) -> bool | None:
    """TCP_NODELAY of the connection this request came on (werkzeug exposes the socket)."""
    sock = environ.get("werkzeug.socket")
    if sock is None:
        return None
    try:
        return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
    except OSError:
        return None


class ProbedApp:
    """Answer the probe paths, hand everything else to the S3 app, count every request."""

    def __init__(self, s3_app: WsgiApp, state: StoreState) -> None:
        self.s3_app = s3_app
        self.state = state

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET"))

        def counted(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            self.state.count(method, status)
            return start_response(status, headers, *exc)

        path = environ.get("PATH_INFO", "")
        if method == "GET" and path in PROBE_PATHS:
            return self._probe(path, environ, counted)
        return self.s3_app(environ, counted)

    def _probe(
        self, path: str, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        state = self.state
        if path == "/metrics":
            return _reply(start_response, 200, state.metrics_text(), "text/plain; version=0.0.4")
        if path == "/healthz":
            body = {"status": "ok", "region": state.region, "tcp_nodelay": _nodelay_of(environ)}
            return _reply(start_response, 200, json.dumps(body))
        ready = state.ready and not state.draining
        reason = "draining" if state.draining else ("ok" if ready else "creating buckets")
        body = {"ready": ready, "reason": reason}
        return _reply(start_response, 200 if ready else 503, json.dumps(body))


def _reply(
    start_response: StartResponse, code: int, text: str, content_type: str = "application/json"
) -> list[bytes]:
    data = text.encode()
    status = {200: "200 OK", 503: "503 Service Unavailable"}[code]
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(data)))])
    return [data]
