"""Run the integrity audit on the live stores at the end of a run."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from harness.events import EventLog, InstanceKilled
from harness.observe.integrity import AckedRecord, IntegrityReport, StoreContents, audit
from harness.observe.store_scan import StoreScan, scan_records
from harness.pipeline.feed import Ack
from harness.reference.contract import store_client as client
from harness.scenario.plan import Plan
from harness.scenario.topology import OBJECT_STORE
from harness.stack import RunningStack


@dataclass(frozen=True)
class AuditResult:
    """The integrity report, and when the audit ran (seconds since run start)."""

    report: IntegrityReport
    at_s: float
    objects: dict[str, int]


def audit_stores(plan: Plan, stack: RunningStack, acks: list[Ack], events: EventLog) -> AuditResult:
    """Scan every region's store and hold it to the acknowledged records."""
    stores = plan.topology.of_service(OBJECT_STORE)
    loss_times = {
        s.region or "": [
            e.t for e in events.events if isinstance(e, InstanceKilled) and e.instance == s.name
        ]
        for s in stores
    }

    def scan(region: str, name: str) -> StoreScan:
        return scan_records(client(stack.handles[name].url, region))

    with ThreadPoolExecutor(max_workers=max(1, len(stores))) as pool:
        scans = list(pool.map(lambda s: scan(s.region or "", s.name), stores))
    contents = [
        StoreContents(
            region=s.region or "",
            ids=scan.ids,
            unreadable_lines=scan.unreadable_lines,
            surviving=not loss_times[s.region or ""],
        )
        for s, scan in zip(stores, scans, strict=True)
    ]
    at_s = stack.clock()
    acked = [AckedRecord(a.id, a.t_ack, a.region) for a in acks]
    report = audit(acked, contents, loss_times, at_s)
    objects = {s.region or "": scan.objects for s, scan in zip(stores, scans, strict=True)}
    return AuditResult(report, at_s, objects)
