"""A tiny HTTP service for the docker backend tests: ready or not, exits, fetches a peer."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aiohttp import ClientError, ClientSession, ClientTimeout, web


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Flags: where to listen, how to behave, an optional file to serve."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--mode", choices=("ok", "exit", "never-ready"), default="ok")
    parser.add_argument("--file", type=Path, help="served at /file")
    return parser.parse_args(argv)


async def fetch(request: web.Request) -> web.Response:
    """GET `?url=` from inside the container: 200 with its status, 502 if unreachable."""
    try:
        async with (
            ClientSession(timeout=ClientTimeout(total=2)) as session,
            session.get(request.query["url"]) as resp,
        ):
            return web.Response(text=str(resp.status))
    except (TimeoutError, ClientError, OSError) as exc:
        return web.Response(status=502, text=type(exc).__name__)


def build_app(args: argparse.Namespace) -> web.Application:
    """The routes: /readyz (200 unless never-ready), /file, /fetch."""
    ready = 503 if args.mode == "never-ready" else 200

    async def readyz(_: web.Request) -> web.Response:
        return web.Response(status=ready, text="ok" if ready == 200 else "not yet")

    async def file(_: web.Request) -> web.Response:
        return web.Response(text=args.file.read_text())

    app = web.Application()
    app.add_routes([web.get("/readyz", readyz), web.get("/file", file), web.get("/fetch", fetch)])
    return app


def main(argv: list[str]) -> int:
    """Serve, or exit at once in mode `exit`."""
    args = parse_args(argv)
    print(f"stub starting in mode {args.mode}", flush=True)
    if args.mode == "exit":
        print("stub: configuration broken, giving up", file=sys.stderr, flush=True)
        return 3
    web.run_app(build_app(args), host=args.host, port=args.port, print=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
