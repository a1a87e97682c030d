"""Run the netproxy in an event loop: `await serve(...)` for tests and embedding."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from harness.errors import HarnessError, Location
from harness.netproxy.addr import LOOPBACK, AddressError, bind_host, listen_port
from harness.netproxy.api import build_app
from harness.netproxy.collection import ProxyCollection
from harness.netproxy.errors import ApiError
from harness.netproxy.specs import proxy_config
from harness.netproxy.wire import ProxyBody, decode_list, parse_json


@dataclass
class NetProxyServer:
    """A running netproxy: the API at `host:port` and every proxy in `collection`."""

    host: str
    port: int
    collection: ProxyCollection
    runner: web.AppRunner

    @property
    def url(self) -> str:
        """Base URL of the HTTP API."""
        return f"http://{self.host}:{self.port}"

    async def close(self) -> None:
        """Close every proxy listener and connection, then the API."""
        await self.collection.close()
        await self.runner.cleanup()


async def serve(
    host: str = LOOPBACK, port: int = 8474, *, config: Path | None = None, seed: int | None = None
) -> NetProxyServer:
    """Start the API on 127.0.0.1 (`port` 0 picks a free one) after loading `config` if given."""
    try:
        port = listen_port(f"{host}:{port}")
    except AddressError as exc:
        raise HarnessError(str(exc), hint=f"netproxy serves on {LOOPBACK} only") from None
    collection = ProxyCollection(seed)
    if config is not None:
        await load_config(collection, config)
    runner = web.AppRunner(build_app(collection), access_log=None, handle_signals=False)
    await runner.setup()
    bind = bind_host()
    site = web.TCPSite(runner, bind, port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        await collection.close()
        raise HarnessError(f"netproxy API on {bind}:{port}: {exc.strerror}") from None
    bound = runner.addresses[0][1]
    return NetProxyServer(bind, bound, collection, runner)


async def load_config(collection: ProxyCollection, path: Path) -> None:
    """Create the proxies of a `-config` file (a /populate body); fail fast on any error."""
    try:
        bodies = decode_list(ProxyBody, parse_json(path.read_bytes()))
        configs = [proxy_config(b, f" at proxy {i}") for i, b in enumerate(bodies, 1)]
    except OSError as exc:
        raise HarnessError(f"cannot read: {exc.strerror}", location=Location(str(path))) from None
    except (ApiError, json.JSONDecodeError) as exc:
        raise HarnessError(str(exc), location=Location(str(path))) from None
    _, error = await collection.populate(configs)
    if error is not None:
        await collection.close()
        raise HarnessError(error.message, location=Location(str(path)))
