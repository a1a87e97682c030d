"""Read a region's record store (S3 API): every record id it holds, repeats kept, and bad lines.

Records live in bucket `records` under `raw/<region>/…jsonl` (docs/pipeline.md: `records/raw/…`
is bucket/key), one JSON object per line. A replicated object keeps its key, so a region's
store holds other regions' prefixes too: by default the whole `raw/` prefix is read.
"""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from harness.errors import HarnessError
from harness.reference.contract import RAW_PREFIX, store_client
from harness.reference.contract import RECORDS_BUCKET as BUCKET

__all__ = ["BUCKET", "RAW_PREFIX", "StoreScan", "parse_records", "scan_records", "scan_store"]
_WORKERS = 8  # small objects: the time goes in round trips, so a few in flight pay off


@dataclass(frozen=True)
class StoreScan:
    """What a store held: the id of every readable line (repeats kept), bad lines, objects read."""

    ids: list[str]
    unreadable_lines: int
    objects: int


def scan_store(url: str, region: str, region_prefix: str | None = None) -> StoreScan:
    """Scan the store at `url` (see scan_records) with a fresh client."""
    return scan_records(store_client(url, region), region_prefix)


def scan_records(
    client: Any, region_prefix: str | None = None, *, page_size: int = 1000
) -> StoreScan:
    """Read every object under raw/ (or raw/<region_prefix>/) of bucket `records`.

    Bad data never raises: a line that is not a UTF-8 JSON object with a string "id" counts as
    unreadable. A store that cannot be listed or read raises HarnessError naming its URL.
    """
    prefix = RAW_PREFIX if region_prefix is None else f"{RAW_PREFIX}{region_prefix}/"
    keys = _list_keys(client, prefix, page_size)
    ids: list[str] = []
    unreadable = 0
    objects = 0
    for found in _read_all(client, keys):
        if found is None:  # removed between the listing and the read
            continue
        objects += 1
        ids.extend(found[0])
        unreadable += found[1]
    return StoreScan(ids, unreadable, objects)


def parse_records(body: bytes) -> tuple[list[str], int]:
    """Return the ids of a JSONL body's records and the number of unreadable lines.

    Blank lines (a trailing newline) are neither records nor unreadable."""
    ids: list[str] = []
    bad = 0
    for line in body.split(b"\n"):
        if not line.strip():
            continue
        record_id = _record_id(line)
        if record_id is None:
            bad += 1
        else:
            ids.append(record_id)
    return ids, bad


def _record_id(line: bytes) -> str | None:
    try:
        record = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if isinstance(record, dict) and isinstance(record.get("id"), str):
        return str(record["id"])
    return None


def _list_keys(client: Any, prefix: str, page_size: int) -> list[str]:
    paging = {"PageSize": page_size}  # S3 caps a page at 1000 keys; the paginator follows on
    try:
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=BUCKET, Prefix=prefix, PaginationConfig=paging
        )
        return [obj["Key"] for page in pages for obj in page.get("Contents", ())]
    except (BotoCoreError, ClientError) as exc:
        raise _unreachable(client, f"cannot list {BUCKET}/{prefix}", exc) from exc


def _read_all(client: Any, keys: list[str]) -> list[tuple[list[str], int] | None]:
    """Read and parse the objects, in key order; the first failure cancels the rest."""
    with ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="store-scan") as pool:
        futures: list[Future[tuple[list[str], int] | None]] = [
            pool.submit(_read_object, client, key) for key in keys
        ]
        try:
            return [f.result() for f in futures]
        except HarnessError:
            # A dead store would otherwise cost one timeout per queued object.
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _read_object(client: Any, key: str) -> tuple[list[str], int] | None:
    try:
        body = client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
            return None
        raise _unreachable(client, f"cannot read {BUCKET}/{key}", exc) from exc
    except BotoCoreError as exc:
        raise _unreachable(client, f"cannot read {BUCKET}/{key}", exc) from exc
    return parse_records(body)


def _unreachable(client: Any, what: str, exc: Exception) -> HarnessError:
    url = getattr(client.meta, "endpoint_url", "?")
    return HarnessError(
        f"record store {url}: {what}: {exc}",
        hint="the store must still be running after the run for the integrity audit",
    )
