"""A tiny HTTP service for the process backend tests: ready or not, exits, or ignores SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODES = ("ok", "exit", "never-ready", "ignore-term")


class Probes(BaseHTTPRequestHandler):
    """/readyz and /healthz: 200, or 503 when the service never gets ready."""

    ready = True

    def do_GET(self) -> None:
        status = 200 if self.ready and self.path in ("/readyz", "/healthz") else 503
        body = b"ok" if status == 200 else b"not yet"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return  # one line per probe would bury the lines the tests look for


def main(argv: list[str]) -> int:
    """Serve the probes until killed; exit 3 at once in mode `exit`."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mode", choices=MODES, default="ok")
    args = parser.parse_args(argv)
    print(f"stub starting in mode {args.mode} on port {args.port}", flush=True)
    if args.mode == "exit":
        print("stub: configuration broken, giving up", file=sys.stderr, flush=True)
        return 3
    if args.mode == "ignore-term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    Probes.ready = args.mode != "never-ready"
    ThreadingHTTPServer((args.host, args.port), Probes).serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
