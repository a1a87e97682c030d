"""The feed: labelled records sent at a steady rate to the ingest of the first region that takes them.

It is a client outside every region, like the load generator, and talks only to the ingest
instances' published ports on 127.0.0.1. Each record is acknowledged by exactly one ingest reply
or not at all; the acknowledgements are what the integrity audit holds the stores to.
"""

from __future__ import annotations

import csv
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import requests

from harness.pipeline.records import to_line
from harness.scenario.plan import FeedPlan

log = logging.getLogger(__name__)
NDJSON = {"Content-Type": "application/x-ndjson"}


@dataclass(frozen=True)
class Ack:
    """One acknowledged record: its id, when it was sent and acknowledged, and by which region."""

    id: str
    t_sent: float
    t_ack: float
    region: str


@dataclass
class FeedStats:
    """Counts a person wants to see at the end of a run."""

    sent: int = 0
    acked: int = 0
    quarantined: int = 0
    failed_requests: int = 0
    failovers: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


class Feed:
    """Send batches of the stream at `plan.rate` records/s until stopped, failing over by region.

    `source` may be swapped while running (an ingest corruption fault does that): the feed
    reads record n of whatever frame is current, so revert is one assignment.
    """

    def __init__(
        self,
        plan: FeedPlan,
        stream: pd.DataFrame,
        ingest: list[tuple[str, str]],
        clock: Callable[[], float],
        cooldown_s: float,
    ) -> None:
        self.plan = plan
        self.clean = stream
        self.source = stream
        self.mangle: Callable[[bytes], bytes] | None = None  # bytes corruption of each line
        self.ingest = ingest  # (region, base URL) in priority order
        self.clock = clock
        self.cooldown_s = cooldown_s
        self.acks: list[Ack] = []
        self.stats = FeedStats()
        self._down_until: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="feed", daemon=True)
        self._session = requests.Session()

    def start(self) -> None:
        """Start sending (from run time 0)."""
        self._thread.start()

    def stop(self) -> None:
        """Stop sending and wait for the batch in flight."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.plan.timeout_s * (len(self.ingest) + 1) + 1)
        self._session.close()

    def _run(self) -> None:
        self._stop.wait(max(0.0, -self.clock()))
        period = self.plan.batch_size / self.plan.rate
        batch = 0
        while not self._stop.is_set():
            due = batch * period - self.clock()
            if due > 0 and self._stop.wait(due):
                break
            try:
                self._send(batch)
            except Exception:  # the feed must outlive any one bad batch
                log.exception("feed: batch %d failed", batch)
            batch += 1

    def _send(self, batch: int) -> None:
        frame = self.source
        n0 = batch * self.plan.batch_size
        rows = [frame.iloc[(n0 + k) % len(frame)].to_dict() for k in range(self.plan.batch_size)]
        t_sent = self.clock()
        lines = [to_line(r, time.time()) for r in rows]
        mangle = self.mangle
        if mangle is not None:
            lines = [mangle(line).replace(b"\n", b" ") for line in lines]
        body = b"\n".join(lines) + b"\n"
        self.stats.sent += len(rows)
        for attempt, (region, url) in enumerate(self._order()):
            reply = self._post(region, url, body)
            if reply is not None:
                self._record(reply, region, t_sent)
                return
            if attempt == 0:
                self.stats.failovers += 1

    def _order(self) -> list[tuple[str, str]]:
        now = self.clock()
        up = [(r, u) for r, u in self.ingest if self._down_until.get(r, -1.0) <= now]
        return up or list(self.ingest)

    def _post(self, region: str, url: str, body: bytes) -> dict[str, Any] | None:
        try:
            resp = self._session.post(
                f"{url}/ingest", data=body, headers=NDJSON, timeout=self.plan.timeout_s
            )
            if resp.status_code == 200:
                reply: dict[str, Any] = resp.json()
                return reply
        except (requests.RequestException, ValueError):
            pass
        self.stats.failed_requests += 1
        self._down_until[region] = self.clock() + self.cooldown_s
        return None

    def _record(self, reply: dict[str, Any], region: str, t_sent: float) -> None:
        t_ack = self.clock()
        accepted = [str(i) for i in reply.get("accepted", [])]
        self.acks.extend(Ack(i, t_sent, t_ack, region) for i in accepted)
        self.stats.acked += len(accepted)
        for item in reply.get("quarantined", []):
            self.stats.quarantined += 1
            kind = str(item.get("reason", "?")).split(":")[0]
            self.stats.reasons[kind] = self.stats.reasons.get(kind, 0) + 1

    def write_acks(self, path: Path) -> None:
        """Save the acknowledgements as CSV (id, t_sent, t_ack, region)."""
        with path.open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "t_sent", "t_ack", "region"])
            for a in self.acks:
                writer.writerow([a.id, f"{a.t_sent:.4f}", f"{a.t_ack:.4f}", a.region])
