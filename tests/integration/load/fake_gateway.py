"""A gateway look-alike on 127.0.0.1:0 (aiohttp in a thread) with failures on purpose."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class GatewayPlan:
    """How the fake gateway misbehaves; windows are seconds since its first request."""

    fail_first: int = 0
    fail_status: int = 503
    slow_window: tuple[float, float] | None = None
    slow_s: float = 0.0
    error_window: tuple[float, float] | None = None


@dataclass
class GatewayLog:
    """What the fake gateway saw."""

    requests: int = 0
    first_at: float | None = None
    bodies: list[list[list[float]]] = field(default_factory=list)


def predict_row(row: list[float]) -> int:
    """Return the fake model's class for one row (feature 0 above zero)."""
    return int(row[0] > 0.0)


class FakeGateway:
    """Serve POST /predict like the reference gateway until `close()`."""

    def __init__(self, plan: GatewayPlan | None = None) -> None:
        self.plan = plan or GatewayPlan()
        self.log = GatewayLog()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        """Return the base URL of the gateway."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeGateway:
        """Start serving; return self once the port is bound."""
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake gateway did not start")
        return self

    def close(self) -> None:
        """Stop serving."""
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/predict", self._predict)
        runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = runner.addresses[0][1]
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())

    async def _predict(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        if self.log.first_at is None:
            self.log.first_at = now
        self.log.requests += 1
        nth, since = self.log.requests, now - self.log.first_at
        body = await request.json()
        self.log.bodies.append(body["rows"])
        plan = self.plan
        if nth <= plan.fail_first:
            return web.json_response({"error": "warming up"}, status=plan.fail_status)
        if plan.error_window and plan.error_window[0] <= since < plan.error_window[1]:
            return web.json_response({"error": "all regions down"}, status=502)
        if plan.slow_window and plan.slow_window[0] <= since < plan.slow_window[1]:
            await asyncio.sleep(plan.slow_s)
        preds = [predict_row(r) for r in body["rows"]]
        return web.json_response(
            {
                "predictions": preds,
                "probabilities": [[1.0 - p, float(p)] for p in preds],
                "model_version": "v1",
                "region": "us-east-1",
                "instance": "inference-0",
                "attempts": 1,
            }
        )
