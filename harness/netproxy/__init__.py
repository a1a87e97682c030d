"""An asyncio TCP proxy that speaks the Toxiproxy HTTP API, so faults can be put on links."""

from __future__ import annotations

from harness.netproxy.api import VERSION
from harness.netproxy.server import NetProxyServer, serve

__all__ = ["VERSION", "NetProxyServer", "serve"]
