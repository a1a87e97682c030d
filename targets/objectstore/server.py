"""Object store: moto's S3 server, threaded, on TCP_NODELAY sockets, with probes and buckets.

`python -m targets.objectstore.server --host H --port P --region R` prints one JSON `ready`
line once the buckets exist, and stops cleanly on SIGTERM/SIGINT. Data lives in memory only:
a killed store loses it, like a region that never comes back."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import threading
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import ThreadedWSGIServer

from targets.common import flags
from targets.common import s3 as s3lib
from targets.common.jsonlog import log_event
from targets.common.net import set_nodelay
from targets.objectstore.app import ProbedApp, StoreState
from targets.objectstore.flags import ObjectStoreFlags

__all__ = ["NodelayWSGIServer", "build_server", "create_buckets", "main"]

SERVICE = "object-store"


class QuietHandler(MotoRequestHandler):
    """moto's request handler without werkzeug's access log (a line per request on stderr)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Drop the access log line; errors are still logged."""


class NodelayWSGIServer(ThreadedWSGIServer):
    """A thread per connection; TCP_NODELAY on the listener and on every accepted socket."""

    def server_bind(self) -> None:
        """Set TCP_NODELAY before binding (Linux also copies it to accepted sockets)."""
        set_nodelay(self.socket)
        super().server_bind()

    def get_request(self) -> tuple[socket.socket, Any]:
        """Accept a connection and set TCP_NODELAY on it, whatever the platform copies."""
        conn, addr = super().get_request()
        set_nodelay(conn)
        return conn, addr


def build_server(host: str, port: int, state: StoreState) -> NodelayWSGIServer:
    """Bind the server (port 0 picks a free one) serving moto's S3 behind the probes."""
    s3_app = DomainDispatcherApplication(create_backend_app)
    return NodelayWSGIServer(host, port, ProbedApp(s3_app, state), QuietHandler)


def create_buckets(url: str, region: str) -> None:
    """Create the stack's buckets through the S3 API of the store at `url`."""
    s3 = s3lib.client(url, region)
    where = {} if region == "us-east-1" else {"LocationConstraint": region}
    for bucket in s3lib.BUCKETS:
        try:
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration=where)
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass  # a retried create whose first try worked (a slow answer on a loaded machine)
        except s3.exceptions.ClientError as exc:
            if "InvalidLocationConstraint" not in str(exc):
                raise
            s3.create_bucket(Bucket=bucket)  # a made-up region name: the default location


def _stop_on_signals(stop: threading.Event, names: list[str]) -> None:
    def handler(signum: int, _frame: Any) -> None:
        names.append(signal.Signals(signum).name)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handler)


def run(host: str, port: int, region: str) -> int:
    """Serve until SIGTERM/SIGINT and return the exit code."""
    stop, names = threading.Event(), list[str]()
    _stop_on_signals(stop, names)
    state = StoreState(region)
    server = build_server(host, port, state)
    thread = threading.Thread(target=server.serve_forever, name="s3", daemon=True)
    thread.start()
    try:
        create_buckets(f"http://127.0.0.1:{server.port}", region)
        state.ready = True
        log_event(
            "ready", service=SERVICE, host=host, port=server.port, pid=os.getpid(), region=region
        )
        while not stop.wait(1.0):
            pass
        state.draining = True
        log_event("draining", service=SERVICE, signal=names[0], grace_s=0.0)
    finally:
        server.shutdown()  # stops accepting; in-flight request threads are daemons
        thread.join(timeout=10)
    log_event("stopped", service=SERVICE, signal=names[0] if names else None)
    return 0


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = flags.parser(ObjectStoreFlags, "python -m targets.objectstore.server", __doc__)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and serve the store."""
    args = _parse_args(argv)
    try:
        return run(args.host, args.port, args.region)
    except OSError as exc:
        log_event("error", service=SERVICE, error=repr(exc))
        print(f"object-store: cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
