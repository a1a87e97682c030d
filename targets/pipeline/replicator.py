"""Replicator: copy this region's new records and registry objects to every other region's store.

`python -m targets.pipeline.replicator --region R --instance NAME --store URL
--replica REGION=URL ... [--interval-s 1] [--lag-s 0]` (docs/pipeline.md "Replication", async)."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from aiohttp import web

from targets.common import flags
from targets.common.jsonlog import log_event
from targets.pipeline.copier import CopyOutcome, copy_due
from targets.pipeline.flags import ReplicatorFlags
from targets.pipeline.keys import RECORDS, REGISTRY, raw_prefix
from targets.pipeline.replication import ObjectId, Tracker
from targets.pipeline.service import Probe, run, service_app
from targets.pipeline.store import Store

__all__ = ["Replicator", "build_app", "main"]

T = TypeVar("T")


class Replicator:
    """The pass loop: list the own store, copy what is due to each destination in parallel.

    Blocking calls run on a pool with a thread per destination, so a partitioned destination
    delays only itself; the bookkeeping stays on the event loop."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.probe = Probe("replicator", args.instance, args.region)
        self.own = Store(args.region, args.store, args.store_timeout_s)
        self.dsts = {r: Store(r, u, args.store_timeout_s) for r, u in args.replica}
        self.scopes = {RECORDS: raw_prefix(args.region), REGISTRY: ""}
        self.tracker = Tracker(list(self.dsts))
        self.pool = ThreadPoolExecutor(len(self.dsts) + 1, thread_name_prefix="replicate")
        self.last_pass: dict[str, Any] = {}
        self._failing: set[str] = set()
        self._metrics()

    def _metrics(self) -> None:
        r = self.probe.registry
        self.pending = r.gauge("replicator_pending_objects", "Objects not yet in every region.")
        self.lag = r.gauge(
            "replicator_lag_seconds", "Age of the oldest object not yet in every region."
        )
        self.copied = r.counter("replicator_copied_total", "Objects copied.", ("dst",))
        self.errors = r.counter(
            "replicator_errors_total", "Failed passes by destination.", ("dst",)
        )
        self.source_errors = r.counter(
            "replicator_source_errors_total", "Failed reads of the own store."
        )
        self.passes = r.counter("replicator_passes_total", "Replication passes.")
        for dst in self.dsts:
            self.copied.inc(dst, amount=0.0)
            self.errors.inc(dst, amount=0.0)
        self.source_errors.inc(amount=0.0)

    async def _call(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn)

    def _list_source(self) -> dict[ObjectId, str]:
        listing: dict[ObjectId, str] = {}
        for bucket, prefix in self.scopes.items():
            listing.update({(bucket, k): e for k, e in self.own.listing(bucket, prefix).items()})
        return listing

    async def loop(self) -> None:
        """Run a pass every --interval-s until cancelled; a failing pass never ends the loop."""
        while True:
            started = time.time()
            try:
                error = await self.run_pass()
            except Exception as exc:  # a bug in one pass must not stop replication
                error = repr(exc)
                log_event("pass_error", instance=self.probe.instance, error=error)
            self._gauges()
            self.passes.inc()
            self.last_pass = {"t": round(started, 3), "duration_s": round(time.time() - started, 3)}
            self.last_pass["error"] = error
            await asyncio.sleep(self.args.interval_s)

    async def run_pass(self) -> str | None:
        """List the own store and copy what is due; return the source error, if any."""
        try:
            listing = await self._call(self._list_source)
        except Exception as exc:  # own store unreachable: keep what is pending, retry next pass
            self.source_errors.inc()
            self._transition("source", repr(exc))
            return repr(exc)
        self._transition("source", None)
        self.probe.started = True
        self.tracker.observe(listing, time.monotonic())
        source = set(listing)
        await asyncio.gather(*(self._copy(dst, source) for dst in self.dsts))
        return None

    async def _copy(self, dst: str, source: set[ObjectId]) -> None:
        due = self.tracker.due(dst, time.monotonic(), self.args.lag_s)
        if not due:
            return
        job = partial(copy_due, self.own, self.dsts[dst], due, self.scopes, source)
        outcome: CopyOutcome = await self._call(job)
        for oid, etag in outcome.done:
            self.tracker.done(dst, oid, etag)
        self.copied.inc(dst, amount=outcome.copied)
        if outcome.source_error:
            self.source_errors.inc()
        if outcome.error:
            self.errors.inc(dst)
        self._transition(dst, outcome.error)

    def _transition(self, where: str, error: str | None) -> None:
        """Log when a store starts or stops failing (not on every pass)."""
        if error and where not in self._failing:
            self._failing.add(where)
            log_event("replication_failing", instance=self.probe.instance, store=where, error=error)
        elif not error and where in self._failing:
            self._failing.discard(where)
            log_event("replication_recovered", instance=self.probe.instance, store=where)

    def _gauges(self) -> None:
        self.pending.set(value=float(self.tracker.pending_objects()))
        self.lag.set(value=round(self.tracker.lag(time.monotonic()), 3))

    def close(self) -> None:
        """Stop the pool without waiting for calls stuck on a partitioned store."""
        self.pool.shutdown(wait=False, cancel_futures=True)

    def status(self) -> dict[str, Any]:
        """The /status body: pending and copied per destination, lag, the last pass."""
        return {
            "region": self.probe.region,
            "instance": self.probe.instance,
            "lag_s": round(self.tracker.lag(time.monotonic()), 3),
            "pending_objects": self.tracker.pending_objects(),
            "pending": self.tracker.pending_by_dst(),
            "copied": {dst: int(self.copied.get(dst)) for dst in self.dsts},
            "errors": {dst: int(self.errors.get(dst)) for dst in self.dsts},
            "source_errors": int(self.source_errors.get()),
            "tracked": len(self.tracker.objects),
            "last_pass": self.last_pass,
        }


REPLICATOR = web.AppKey("replicator", Replicator)


async def _status(request: web.Request) -> web.StreamResponse:
    return web.json_response(request.app[REPLICATOR].status())


def build_app(replicator: Replicator) -> web.Application:
    """Wire /status, the probes and the pass loop."""
    app = service_app(replicator.probe, replicator.loop, replicator.close)
    app[REPLICATOR] = replicator
    app.router.add_get("/status", _status)
    return app


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = flags.parser(ReplicatorFlags, "python -m targets.pipeline.replicator", __doc__)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Serve the replicator until SIGTERM/SIGINT and return the exit code."""
    args = _parse_args(argv)
    replicator = Replicator(args)
    ready = {"store": args.store, "replicas": dict(args.replica), "lag_s": args.lag_s}
    return run(build_app(replicator), replicator.probe, args, **ready)


if __name__ == "__main__":
    raise SystemExit(main())
