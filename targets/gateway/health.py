"""Active health checks: probe every instance concurrently each interval, then re-route."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import aiohttp

from targets.common.jsonlog import log_event
from targets.gateway.config import HealthCheckConfig
from targets.gateway.policies import Policy
from targets.gateway.pool import Instance, Pool
from targets.gateway.upstream import probe_ready

__all__ = ["check_round", "health_loop", "log_transition"]


def log_transition(inst: Instance) -> None:
    """Log an instance turning healthy or unhealthy."""
    if inst.healthy:
        log_event("instance_healthy", instance=inst.id, region=inst.region)
    else:
        log_event(
            "instance_unhealthy",
            instance=inst.id,
            region=inst.region,
            reason=inst.unhealthy_reason,
            error=inst.last_error,
        )


async def check_round(
    session: aiohttp.ClientSession, pool: Pool, policy: Policy, hc: HealthCheckConfig
) -> tuple[str, str] | None:
    """Probe every instance once, apply the thresholds, and return a region change if any."""
    results = await asyncio.gather(*(probe_ready(session, i, hc.timeout_s) for i in pool.instances))
    for inst, (ok, error) in zip(pool.instances, results, strict=False):
        if inst.record_check(ok, error, hc):
            log_transition(inst)
    return policy.refresh()


async def health_loop(
    session: aiohttp.ClientSession,
    pool: Pool,
    policy: Policy,
    hc: HealthCheckConfig,
    on_region_change: Callable[[str, str], None],
) -> None:
    """Run check rounds forever, one every interval (never overlapping), until cancelled."""
    loop = asyncio.get_running_loop()
    while True:
        started = loop.time()
        try:
            change = await check_round(session, pool, policy, hc)
        except Exception as exc:
            log_event("health_check_error", error=repr(exc))
            change = None
        if change is not None:
            on_region_change(*change)
        # Rounds start every interval; a slow round (timeouts) pushes the next one back.
        await asyncio.sleep(max(0.0, hc.interval_s - (loop.time() - started)))
