"""The public surface the harness relies on stays put."""

from __future__ import annotations

import asyncio
import inspect

from harness import netproxy


def test_all_is_pinned() -> None:
    assert netproxy.__all__ == ["VERSION", "NetProxyServer", "serve"]
    assert netproxy.VERSION == "2.12.0"


def test_serve_signature() -> None:
    params = inspect.signature(netproxy.serve).parameters
    assert list(params) == ["host", "port", "config", "seed"]
    assert params["host"].default == "127.0.0.1" and params["port"].default == 8474


def test_serve_on_port_zero_reports_real_port_and_closes() -> None:
    async def main() -> int:
        server = await netproxy.serve(port=0)
        try:
            assert server.url == f"http://127.0.0.1:{server.port}"
            return server.port
        finally:
            await server.close()

    assert asyncio.run(main()) > 0
