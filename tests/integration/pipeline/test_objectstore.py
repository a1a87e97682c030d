"""The object store wrapper: ready line, probes, buckets, TCP_NODELAY, threads, clean stop."""

from __future__ import annotations

import signal
import socket
import threading

import requests

from targets.common import s3 as s3lib
from targets.objectstore.app import StoreState
from targets.objectstore.server import build_server, create_buckets
from tests.integration.pipeline.support import EAST, WEST, Store, start_store
from tests.integration.targets.conftest import Targets


def test_ready_line_probes_and_buckets(module_stores: dict[str, Store]) -> None:
    store = module_stores[WEST]
    ready = store.proc.wait_event("ready")
    assert ready["service"] == "object-store" and ready["region"] == WEST
    assert ready["port"] == store.port and ready["pid"] == store.proc.proc.pid
    health = requests.get(f"{store.url}/healthz", timeout=5).json()
    assert health == {"status": "ok", "region": WEST, "tcp_nodelay": True}
    assert requests.get(f"{store.url}/readyz", timeout=5).json()["ready"] is True
    names = {b["Name"] for b in store.s3.list_buckets()["Buckets"]}
    assert names == set(s3lib.BUCKETS)
    store.s3.put_object(Bucket="records", Key="raw/x.jsonl", Body=b"{}\n")
    assert store.body("records", "raw/x.jsonl") == b"{}\n"
    text = requests.get(f"{store.url}/metrics", timeout=5).text
    assert 'objectstore_requests_total{method="PUT",code="200"}' in text


def test_accepted_sockets_get_tcp_nodelay_even_when_the_listener_lacks_it() -> None:
    server = build_server("127.0.0.1", 0, StoreState(EAST))
    try:
        # Linux copies the listener's option to accepts: clear it to test the accept hook alone.
        server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
        with socket.create_connection(("127.0.0.1", server.port), timeout=5):
            conn, _ = server.get_request()
            with conn:
                assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        server.server_close()


def test_a_stalled_client_does_not_block_others(module_stores: dict[str, Store]) -> None:
    store = module_stores[EAST]
    with socket.create_connection(("127.0.0.1", store.port), timeout=5) as slow:
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # headers never finished
        replies: list[int] = []
        worker = threading.Thread(
            target=lambda: replies.append(
                requests.get(f"{store.url}/readyz", timeout=5).status_code
            )
        )
        worker.start()
        worker.join(timeout=10)
    assert replies == [200]


def test_sigterm_stops_it_cleanly() -> None:
    group = Targets()
    try:
        store = start_store(group, EAST)
        store.proc.signal(signal.SIGTERM)
        assert store.proc.proc.wait(timeout=10) == 0
        assert store.proc.wait_event("stopped")["signal"] == "SIGTERM"
    finally:
        group.close()


def test_creating_the_buckets_again_is_not_an_error(module_stores: dict[str, Store]) -> None:
    """A create retried after a slow first answer (the first one worked) must not stop the store.

    Seen on a loaded machine: boto3 retried CreateBucket after a timeout, the retry got
    BucketAlreadyOwnedByYou, and the object store exited while starting.
    """
    for region in (EAST, WEST):
        create_buckets(module_stores[region].url, region)
    names = {b["Name"] for b in module_stores[WEST].s3.list_buckets()["Buckets"]}
    assert names == set(s3lib.BUCKETS)
