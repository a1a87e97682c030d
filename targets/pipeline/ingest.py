"""Ingest: POST /ingest takes NDJSON records, quarantines bad lines, stores the batch, then acks.

`python -m targets.pipeline.ingest --region R --instance NAME --store URL --profile PATH
[--replication async|sync|none] [--replica REGION=URL ...]` (docs/pipeline.md)."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
from functools import partial
from typing import Any

from aiohttp import web

from targets.common import flags
from targets.common.drift import load_profile
from targets.common.http import HttpMetrics, json_error
from targets.common.jsonlog import log_event
from targets.pipeline.flags import INGEST_MAX_BODY_BYTES, IngestFlags
from targets.pipeline.keys import QUARANTINE, RECORDS, batch_key, quarantine_key
from targets.pipeline.quality import IngestQuality
from targets.pipeline.records import Validated, Validator, reason_kind, to_jsonl
from targets.pipeline.service import Probe, run, service_app
from targets.pipeline.store import Store
from targets.pipeline.writer import BatchWriter, WriteResult

__all__ = ["Ingest", "build_app", "main"]

PATHS = ("/ingest", "/healthz", "/readyz", "/metrics")
MAX_BODY_BYTES = INGEST_MAX_BODY_BYTES
READY_POLL_S = 0.5


class Ingest:
    """Validate, store and acknowledge batches; count what happened; keep the quality alerts."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.region = args.region
        self.instance = args.instance
        self.sync = args.replication == "sync"
        self.probe = Probe("ingest", args.instance, args.region)
        own = Store(args.region, args.store, args.store_timeout_s)
        # Other regions' stores matter only when ingest itself replicates (sync).
        replicas = [Store(r, u, args.store_timeout_s) for r, u in args.replica] if self.sync else []
        self.writer = BatchWriter(own, replicas)
        profile = load_profile(args.profile)
        self.validator = Validator(profile)
        self._seq = itertools.count(1)
        self._metrics(args, [own, *replicas], profile)

    def _metrics(
        self, args: argparse.Namespace, stores: list[Store], profile: dict[str, Any]
    ) -> None:
        r = self.probe.registry
        self.http = HttpMetrics(r, "ingest", PATHS, timed_path="/ingest")
        self.records = r.counter("ingest_records_total", "Record lines by outcome.", ("outcome",))
        self.reasons = r.counter(
            "ingest_quarantined_total", "Quarantined lines by reason kind.", ("reason_kind",)
        )
        self.store_errors = r.counter(
            "ingest_store_errors_total", "Failed object writes by store region.", ("region",)
        )
        for outcome in ("accepted", "quarantined"):
            self.records.inc(outcome, amount=0.0)
        for store in stores:
            self.store_errors.inc(store.region, amount=0.0)
        self.quality = IngestQuality(r, args.instance, profile, drift_window=args.drift_window)

    async def handle(self, body: bytes) -> web.Response:
        """Validate one body, store its accepted batch (and quarantined lines), build the reply."""
        # On the pool: a large body takes a while to parse, and probes must not wait for it.
        checked = await self.writer.call(partial(self.validator.validate, body))
        seq, ms = next(self._seq), int(time.time() * 1000)
        key = batch_key(self.region, self.instance, seq, ms) if checked.accepted else None
        stored, _ = await asyncio.gather(
            self._store_batch(key, checked), self._store_rejected(seq, ms, checked)
        )
        if not stored.ok:
            return self._unavailable(stored)
        self._count(checked)
        return web.json_response(
            {
                "accepted": checked.ids,
                "quarantined": [r.reply() for r in checked.rejected],
                "region": self.region,
                "key": key,
            }
        )

    async def _store_batch(self, key: str | None, checked: Validated) -> WriteResult:
        if key is None:
            return WriteResult(())
        result = await self.writer.write(RECORDS, key, to_jsonl(checked.accepted), self.sync)
        for region in result.failed:
            self.store_errors.inc(region)
        return result

    async def _store_rejected(self, seq: int, ms: int, checked: Validated) -> None:
        """Keep rejected lines for inspection; losing them never fails the request."""
        if not checked.rejected:
            return
        key = quarantine_key(self.region, seq, ms)
        body = to_jsonl([r.stored() for r in checked.rejected])
        result = await self.writer.write(QUARANTINE, key, body, everywhere=False)
        for region in result.failed:
            self.store_errors.inc(region)

    def _unavailable(self, result: WriteResult) -> web.Response:
        log_event("store_write_failed", instance=self.instance, failed=result.failed)
        return json_error(
            503, "store write failed", accepted=[], failed=result.failed, region=self.region
        )

    def _count(self, checked: Validated) -> None:
        self.records.inc("accepted", amount=len(checked.accepted))
        self.records.inc("quarantined", amount=len(checked.rejected))
        for rejected in checked.rejected:
            self.reasons.inc(reason_kind(rejected.reason))
        self.quality.observe(checked.quarantined, checked.accepted)

    async def wait_for_store(self) -> None:
        """Poll the own store until it answers once; only then is ingest ready."""
        for attempt in itertools.count():
            try:
                await self.writer.call(self.writer.own.ping)
            except Exception as exc:  # not up yet or unreachable: keep trying
                if attempt == 0:
                    log_event("store_unreachable", instance=self.instance, error=repr(exc))
                await asyncio.sleep(READY_POLL_S)
                continue
            self.probe.started = True
            return


INGEST = web.AppKey("ingest", Ingest)


async def ingest(request: web.Request) -> web.StreamResponse:
    """Take an NDJSON body; 413 when it is over the size limit."""
    body = await request.read()  # raises 413 past client_max_size
    return await request.app[INGEST].handle(body)


def build_app(service: Ingest, max_body_bytes: int = MAX_BODY_BYTES) -> web.Application:
    """Wire POST /ingest, the probes and the readiness poll."""
    app = service_app(
        service.probe,
        service.wait_for_store,
        service.writer.close,
        (service.http.middleware(),),
        client_max_size=max_body_bytes,
    )
    app[INGEST] = service
    app.router.add_post("/ingest", ingest)
    return app


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = flags.parser(IngestFlags, "python -m targets.pipeline.ingest", __doc__)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Serve ingest until SIGTERM/SIGINT and return the exit code."""
    args = _parse_args(argv)
    service = Ingest(args)
    app = build_app(service, args.max_body_bytes)
    return run(app, service.probe, args, replication=args.replication, store=args.store)


if __name__ == "__main__":
    raise SystemExit(main())
