"""Corrupt the feed's records while an ingest corruption lasts (poisoned training data)."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from harness.corrupt import CorruptionRequest, Target, corrupt_bytes, corrupt_frame
from harness.pipeline.records import LABEL

if TYPE_CHECKING:
    from harness.pipeline.feed import Feed


def corrupt_feed(feed: Feed, request: CorruptionRequest, seed: int) -> str:
    """Point the feed at corrupted records (frame kinds) or mangle its lines (bytes kinds)."""
    if request.target is Target.BYTES:
        return _mangle_lines(feed, request, seed)
    frame, mask = corrupt_frame(
        feed.clean,
        request.kind,
        severity=request.severity,
        seed=seed,
        columns=request.columns,
        fraction=request.fraction,
        label_column=LABEL,
        mechanism=request.mechanism,
    )
    feed.source = frame
    touched = int(mask.to_numpy().any(axis=1).sum()) if len(mask) else 0
    return f"{request.kind} s{request.severity}: {touched} of {len(frame)} stream records"


def _mangle_lines(feed: Feed, request: CorruptionRequest, seed: int) -> str:
    """Each line sent is corrupted with the request's share as its chance (as objects at rest)."""
    share, rng = request.share, random.Random(seed)

    def mangle(line: bytes) -> bytes:
        if rng.random() >= share:
            return line
        return corrupt_bytes(
            line, request.kind, severity=request.severity, seed=rng.getrandbits(32)
        )

    feed.mangle = mangle
    return f"{request.kind} s{request.severity} on {share:.0%} of record lines"


def restore_feed(feed: Feed) -> None:
    """Clean records again."""
    feed.source = feed.clean
    feed.mangle = None
