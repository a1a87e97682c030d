"""Small model servers speaking other protocols (aiohttp in a thread), and a real gateway."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from aiohttp import web

REPO = Path(__file__).resolve().parents[3]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Seen:
    """One request the server received."""

    path: str
    content_type: str
    body: bytes


@dataclass
class ModelServer:
    """Speaks open-inference-v2 (model `bc`) or mlflow; class = feature 0 above zero."""

    speaks: str = "open-inference-v2"
    ready_status: int = 200
    garbage: bool = False  # answer 200 with a body that is not JSON
    seen: list[Seen] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ModelServer:
        """Serve until close(); return self once bound."""
        self._thread.start()
        assert self._ready.wait(10), "model server did not start"
        return self

    def close(self) -> None:
        """Stop serving."""
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        if self.speaks == "open-inference-v2":
            app.router.add_get("/v2/health/ready", self._health)
            app.router.add_post("/v2/models/{model}/infer", self._infer)
        else:
            app.router.add_get("/ping", self._health)
            app.router.add_post("/invocations", self._invocations)
        runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = runner.addresses[0][1]
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())

    async def _note(self, request: web.Request) -> bytes:
        body = await request.read()
        self.seen.append(Seen(request.path_qs, request.headers.get("Content-Type", ""), body))
        return body

    async def _health(self, request: web.Request) -> web.Response:
        return web.Response(status=self.ready_status, text="")

    async def _infer(self, request: web.Request) -> web.Response:
        doc = json.loads(await self._note(request))
        tensor = doc["inputs"][0]
        n, f = tensor["shape"]
        data = tensor["data"]
        preds = [int(data[i * f] > 0) for i in range(n)]
        if self.garbage:
            return web.Response(text="<html>not json</html>", content_type="text/html")
        out = {"name": "predict", "shape": [n, 1], "datatype": "INT64", "data": preds}
        model = request.match_info["model"]
        return web.json_response({"model_name": model, "id": "x", "outputs": [out]})

    async def _invocations(self, request: web.Request) -> web.Response:
        doc = json.loads(await self._note(request))
        rows = doc["dataframe_split"]["data"]
        return web.json_response({"predictions": [int(r[0] > 0) for r in rows]})


class Gateway:
    """The real gateway (targets.gateway.server) as a subprocess in front of `instances`."""

    def __init__(
        self, tmp: Path, instances: list[dict[str, Any]], interval_s: float = 0.05
    ) -> None:
        config = {
            "architecture": "single-region",
            "regions": [{"name": "us-east-1", "instances": instances}],
            "health_check": {
                "interval_s": interval_s,
                "timeout_s": 0.5,
                "unhealthy_threshold": 2,
                "healthy_threshold": 1,
            },
            "retry": {"attempts": 2, "per_request_timeout_s": 2.0},
        }
        path = tmp / "gateway.json"
        path.write_text(json.dumps(config))
        self.port = free_port()
        self.log = (tmp / "gateway.log").open("w")
        argv = ["-m", "targets.gateway.server", "--host", "127.0.0.1", "--port", str(self.port)]
        self.proc = subprocess.Popen(
            [sys.executable, *argv, "--config", str(path)],
            cwd=REPO,
            env=dict(os.environ, PYTHONPATH=str(REPO)),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_up()

    @property
    def url(self) -> str:
        """The gateway's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def _wait_up(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "gateway exited"
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        raise AssertionError("gateway did not come up")

    def state(self) -> dict[str, Any]:
        """GET /state."""
        return dict(requests.get(f"{self.url}/state", timeout=5).json())

    def close(self) -> None:
        """Stop the gateway."""
        self.proc.kill()
        self.proc.wait(10)
        self.log.close()
