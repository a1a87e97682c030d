"""Bytes corruptions on ingest follow the severity table, as storage does (defect: a fixed 20%)."""

from __future__ import annotations

import pytest

from harness.corrupt import CorruptionRequest
from harness.corrupt.base import ROW_FRACTION
from harness.pipeline import ingest_skew
from harness.pipeline.feed import Feed
from harness.scenario.plan import FeedPlan

from .conftest import make_ingest

LINES = [f'{{"id": "r{i}", "amount": {i * 1.5}, "label": {i % 2}}}'.encode() for i in range(4000)]


def mangled_share(severity: int) -> tuple[float, str]:
    """Share of record lines the feed sends changed while bit_flip at `severity` lasts."""
    feed = Feed(FeedPlan(10, 10, 1.0), make_ingest(), [], lambda: 0.0, 1.0)
    request = CorruptionRequest("bit_flip", severity=severity)
    detail = ingest_skew.corrupt_feed(feed, request, seed=7)
    assert feed.mangle is not None
    changed = sum(feed.mangle(line) != line for line in LINES)
    return changed / len(LINES), detail


@pytest.mark.parametrize("severity", [1, 5])
def test_the_share_of_mangled_lines_is_the_severity_s_own(severity: int) -> None:
    share, detail = mangled_share(severity)
    assert share == pytest.approx(ROW_FRACTION[severity], abs=0.02)
    assert f"on {ROW_FRACTION[severity]:.0%} of record lines" in detail


def test_a_harsher_severity_mangles_more_lines() -> None:
    assert mangled_share(5)[0] > 4 * mangled_share(1)[0]
