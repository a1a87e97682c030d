"""Pack the pipeline's audit and feed counts into the results contract."""

from __future__ import annotations

from harness.pipeline.session import PipelineOutcome
from harness.results import Integrity, LagSample, LostRecord, RegionIntegrity

MAX_LOST_LISTED = 200
MAX_LAG_POINTS = 600


def integrity(outcome: PipelineOutcome) -> Integrity | None:
    """The Integrity section, or None when the run fed no records."""
    feed = outcome.feed
    if feed is None:
        return None
    base = {
        "records_sent": feed.sent,
        "records_acked": len(outcome.acks),
        "records_quarantined": feed.quarantined,
        "feed_failed_requests": feed.failed_requests,
        "feed_failovers": feed.failovers,
        "quarantine_reasons": dict(feed.reasons),
    }
    audit = outcome.audit
    if audit is None:
        return Integrity(
            audited_at_s=None,
            records_lost=0,
            records_duplicated=0,
            records_unexpected=0,
            rpo_s=None,
            lost=[],
            regions=[],
            error=outcome.audit_error or "the audit did not run",
            **base,
        )
    r = audit.report
    return Integrity(
        audited_at_s=round(audit.at_s, 3),
        records_lost=r.records_lost,
        records_duplicated=r.records_duplicated,
        records_unexpected=r.records_unexpected,
        rpo_s=None if r.rpo_s is None else round(r.rpo_s, 3),
        lost=[
            LostRecord(id=x.id, region=x.region, t_ack=round(x.t_ack, 3), age_s=round(x.age_s, 3))
            for x in r.lost[:MAX_LOST_LISTED]
        ],
        regions=[
            RegionIntegrity(
                region=g.region,
                surviving=g.surviving,
                objects=audit.objects.get(g.region, 0),
                present=g.present,
                missing=len(g.missing),
                duplicated=len(g.duplicated),
                unexpected=g.unexpected,
                unreadable_lines=g.unreadable_lines,
            )
            for g in r.per_region
        ],
        **base,
    )


def lag_samples(outcome: PipelineOutcome) -> list[LagSample]:
    """Replication lag points, thinned to at most MAX_LAG_POINTS."""
    points = outcome.lag
    step = max(1, len(points) // MAX_LAG_POINTS)
    return [
        LagSample(t=round(p.t, 3), instance=p.instance, lag_s=round(p.lag_s, 3), pending=p.pending)
        for p in points[::step]
    ]
