"""Copy due objects from the own store to one destination store (blocking; run on a thread)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from targets.pipeline.keys import REGISTRY
from targets.pipeline.replication import LATEST, ObjectId
from targets.pipeline.store import Store

__all__ = ["CopyOutcome", "copy_due"]


@dataclass
class CopyOutcome:
    """What one destination got in one pass, and what stopped it (the destination or the source)."""

    done: list[tuple[ObjectId, str]] = field(default_factory=list)
    copied: int = 0
    error: str | None = None  # the destination failed: the rest stays pending
    source_error: str | None = None  # the own store failed while reading


class _Pointer(Enum):
    COPY = "copy"
    WAIT = "wait"  # the model it points to is not at the destination yet
    SKIP = "skip"  # the destination already has a newer pointer


def _present(
    dst: Store, scopes: dict[str, str], due: list[tuple[ObjectId, str]]
) -> dict[ObjectId, str]:
    """ETags at the destination, listed once per bucket that has due objects."""
    present: dict[ObjectId, str] = {}
    for bucket in sorted({oid[0] for oid, _ in due}):
        listing = dst.listing(bucket, scopes.get(bucket, ""))
        present.update({(bucket, key): etag for key, etag in listing.items()})
    return present


def _content_type(key: str) -> str:
    if key.endswith(".jsonl"):
        return "application/x-ndjson"
    return "application/json" if key.endswith(".json") else "application/octet-stream"


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        doc = json.loads(body)
    except ValueError:  # bytes that are not UTF-8 raise UnicodeDecodeError, a ValueError
        return None
    return doc if isinstance(doc, dict) else None


def _pointer(
    body: bytes, dst: Store, present: dict[ObjectId, str], source: set[ObjectId]
) -> _Pointer:
    """Whether latest.json may be copied now: its model first, and never over a newer pointer."""
    doc = _json_object(body)
    if doc is None or not isinstance(doc.get("key"), str):
        return _Pointer.COPY  # a pointer that names nothing replicates as it is, like S3 would
    model = (REGISTRY, doc["key"])
    if model in source and model not in present:
        return _Pointer.WAIT
    if LATEST in present:
        there = _json_object(dst.get(*LATEST)) or {}
        mine, theirs = doc.get("published_at"), there.get("published_at")
        if isinstance(mine, int | float) and isinstance(theirs, int | float) and theirs >= mine:
            return _Pointer.SKIP
    return _Pointer.COPY


class _SourceFailed(Exception):
    """Reading the own store failed (not the destination's fault)."""


def _copy_one(
    src: Store, dst: Store, oid: ObjectId, present: dict[ObjectId, str], source: set[ObjectId]
) -> _Pointer | None:
    """Copy one object unless the pointer rules say wait or skip; None when it left the source."""
    try:
        body = src.get(*oid)
    except src.s3.exceptions.NoSuchKey:
        return None  # deleted since the listing; the next listing forgets it
    except Exception as exc:
        raise _SourceFailed(repr(exc)) from exc
    verdict = _pointer(body, dst, present, source) if oid == LATEST else _Pointer.COPY
    if verdict is _Pointer.COPY:
        dst.put(*oid, body, _content_type(oid[1]))
    return verdict


def copy_due(
    src: Store,
    dst: Store,
    due: list[tuple[ObjectId, str]],
    scopes: dict[str, str],
    source: set[ObjectId],
) -> CopyOutcome:
    """Copy `due` (ordered) to `dst`; an object already there with its ETag is not copied again.

    `scopes` maps each bucket to the prefix replicated; `source` is the last source listing.
    The first failure ends the pass for this destination: what is left stays pending."""
    out = CopyOutcome()
    try:
        present = _present(dst, scopes, due)
        for oid, etag in due:
            if present.get(oid) != etag:
                verdict = _copy_one(src, dst, oid, present, source)
                if verdict is None or verdict is _Pointer.WAIT:
                    continue
                out.copied += 1 if verdict is _Pointer.COPY else 0  # SKIP: a newer one is there
                present[oid] = etag
            out.done.append((oid, etag))
    except _SourceFailed as exc:
        out.source_error = str(exc)
    except Exception as exc:  # the destination failed (unreachable, timeout, refused)
        out.error = repr(exc)
    return out
