"""`python -m harness.netproxy [--host H] [--port N] [--config FILE] [--seed N]`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from harness.errors import ExitCode, HarnessError
from harness.netproxy.server import serve


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse flags; `-flag value`, `-flag=value` and the `--` forms all work, as in Go."""
    parser = argparse.ArgumentParser(prog="python -m harness.netproxy", allow_abbrev=False)
    parser.add_argument("-host", "--host", default="127.0.0.1", help="API host (loopback only)")
    parser.add_argument("-port", "--port", type=int, default=8474, help="API port; 0 = any free")
    parser.add_argument("-config", "--config", type=Path, help="JSON array of proxies to create")
    parser.add_argument("-seed", "--seed", type=int, help="seed for toxicity rolls and jitter")
    parser.add_argument("-log-level", "--log-level", default="WARNING", help="e.g. INFO, DEBUG")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> None:
    """Serve until SIGTERM or SIGINT, then close every listener and connection."""
    server = await serve(args.host, args.port, config=args.config, seed=args.seed)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"netproxy listening on {server.host}:{server.port}", flush=True)
    try:
        await stop.wait()
    finally:
        await server.close()


def main(argv: list[str]) -> int:
    """Run the netproxy; return the process exit code."""
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        asyncio.run(run(args))
    except HarnessError as exc:
        print(exc.render(), file=sys.stderr)
        return ExitCode.BAD_INPUT
    return ExitCode.OK


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
