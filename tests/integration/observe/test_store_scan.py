"""Store scan against a real moto S3 server: good, duplicated and unreadable lines, pagination."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from harness.errors import HarnessError
from harness.observe.integrity import AckedRecord, StoreContents, audit
from harness.observe.store_scan import parse_records, scan_records, scan_store
from tests.integration.pipeline_retrain.stores import MotoStore
from tests.integration.targets.conftest import free_port

pytestmark = pytest.mark.integration


def lines(*ids: str) -> bytes:
    return b"".join(json.dumps({"id": i, "ts": 1.0, "label": 0}).encode() + b"\n" for i in ids)


def put(client: Any, key: str, body: bytes, bucket: str = "records") -> None:
    client.put_object(Bucket=bucket, Key=key, Body=body)


def test_scan_reads_ids_keeps_repeats_and_counts_bad_lines(store: MotoStore) -> None:
    c = store.s3
    put(c, "raw/us-east-1/0000000000001-ingest-us-east-1-000001.jsonl", lines("a", "b", "c"))
    # a replicated object from the other region, carrying a repeat of "b"
    put(c, "raw/eu-west-1/0000000000002-ingest-eu-west-1-000001.jsonl", lines("b", "d"))
    mixed = b"".join(
        [
            lines("e"),
            b"\xff\xfe not utf-8 \xc3\x28\n",  # garbage bytes
            b"[1, 2, 3]\n",  # JSON, but not an object
            b'{"ts": 1.0}\n',  # no id
            b'{"id": 42}\n',  # id not a string
            b"{truncated\n",
            b"\n   \n",  # blank lines are not records
            lines("e").rstrip(b"\n"),  # last line without a newline, id repeated
        ]
    )
    put(c, "raw/us-east-1/0000000000003-ingest-us-east-1-000002.jsonl", mixed)
    put(c, "quarantine-like/us-east-1/1.jsonl", lines("not-raw"))  # outside raw/: not read
    put(c, "raw/us-east-1/1.jsonl", lines("other-bucket"), bucket="quarantine")

    scan = scan_records(c)
    assert sorted(scan.ids) == ["a", "b", "b", "c", "d", "e", "e"]
    assert scan.unreadable_lines == 5
    assert scan.objects == 3


def test_region_prefix_reads_one_region_only(store: MotoStore) -> None:
    put(store.s3, "raw/us-east-1/1.jsonl", lines("east"))
    put(store.s3, "raw/us-east-12/1.jsonl", lines("not-a-prefix-match"))
    put(store.s3, "raw/eu-west-1/1.jsonl", lines("west"))
    scan = scan_records(store.s3, region_prefix="us-east-1")
    assert (scan.ids, scan.objects) == (["east"], 1)


def test_an_empty_store_scans_to_nothing(store: MotoStore) -> None:
    scan = scan_store(store.url, "us-east-1")
    assert (scan.ids, scan.unreadable_lines, scan.objects) == ([], 0, 0)


def put_many(store: MotoStore, count: int) -> None:
    """Put `count` one-record objects, ids id-<i>, in parallel (moto answers one at a time)."""
    keys = [f"raw/us-east-1/{i:013d}-ingest-us-east-1-{i:06d}.jsonl" for i in range(count)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: put(store.s3, k, lines(f"id-{k[14:27]}")), keys))


def test_every_listing_page_is_read(store: MotoStore) -> None:
    put_many(store, 23)
    listings: list[str] = []
    store.s3.meta.events.register(
        "after-call.s3.ListObjectsV2", lambda **kw: listings.append(kw["event_name"])
    )
    scan = scan_records(store.s3, page_size=5)
    assert len(listings) == 5  # 5 + 5 + 5 + 5 + 3 keys
    assert scan.objects == 23
    # in key order, so the result does not depend on which read finished first
    assert scan.ids == [f"id-{i:013d}" for i in range(23)]


def test_more_than_the_default_page_of_1000_keys(store: MotoStore) -> None:
    put_many(store, 1001)
    scan = scan_store(store.url, "us-east-1")
    assert scan.objects == 1001
    assert len(set(scan.ids)) == 1001


def test_scan_feeds_the_integrity_audit(store: MotoStore) -> None:
    put(store.s3, "raw/us-east-1/1.jsonl", lines("r1", "r2", "r2", "stray"))
    scan = scan_records(store.s3)
    acked = [AckedRecord(i, t, "us-east-1") for i, t in (("r1", 1.0), ("r2", 2.0), ("r3", 3.0))]
    contents = StoreContents("us-east-1", scan.ids, scan.unreadable_lines, surviving=True)
    report = audit(acked, [contents], {}, end_s=10.0)
    assert report.lost_ids == {"r3"}
    assert report.rpo_s == 7.0
    assert report.duplicated_ids == ("r2",)
    assert report.records_unexpected == 1


def test_a_store_that_is_not_running_raises_naming_its_url() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(HarnessError, match=f"record store {url}: cannot list records/raw/"):
        scan_store(url, "us-east-1")


def test_a_store_without_the_records_bucket_raises(moto_server: MotoStore) -> None:
    moto_server.reset()
    moto_server.s3.delete_bucket(Bucket="records")
    with pytest.raises(HarnessError, match="NoSuchBucket"):
        scan_records(moto_server.s3)


def test_parse_records_on_its_own() -> None:
    assert parse_records(b"") == ([], 0)
    assert parse_records(lines("x") + b"null\n" + b'"id"\n' + b"\r\n") == (["x"], 2)
    assert parse_records(b'{"id": "y"}\r\n{"id": "z"}') == (["y", "z"], 0)
