"""Corrupt the feed's records while an ingest corruption lasts (poisoned training data)."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from harness.corrupt import corrupt_bytes, corrupt_frame
from harness.corrupt.base import Target
from harness.pipeline.feed import Feed
from harness.pipeline.records import LABEL

if TYPE_CHECKING:
    from harness.faults.corrupt_data import CorruptDataSpec


def corrupt_feed(feed: Feed, spec: CorruptDataSpec, seed: int) -> str:
    """Point the feed at corrupted records (frame kinds) or mangle its lines (bytes kinds)."""
    if spec.corruption_target() is Target.BYTES:
        share = spec.fraction if spec.fraction is not None else 0.2
        rng = random.Random(seed)

        def mangle(line: bytes) -> bytes:
            if rng.random() >= share:
                return line
            return corrupt_bytes(
                line, spec.corruption, severity=spec.severity, seed=rng.getrandbits(32)
            )

        feed.mangle = mangle
        return f"{spec.corruption} s{spec.severity} on {share:.0%} of record lines"
    frame, mask = corrupt_frame(
        feed.clean,
        spec.corruption,
        severity=spec.severity,
        seed=seed,
        columns=spec.columns,
        fraction=spec.fraction,
        label_column=LABEL,
        mechanism=spec.mechanism,
    )
    feed.source = frame
    touched = int(mask.to_numpy().any(axis=1).sum()) if len(mask) else 0
    return f"{spec.corruption} s{spec.severity}: {touched} of {len(frame)} stream records"


def restore_feed(feed: Feed) -> None:
    """Clean records again."""
    feed.source = feed.clean
    feed.mangle = None
