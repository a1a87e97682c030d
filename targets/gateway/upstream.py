"""Talk to upstream instances: forward /predict with bounded retries, and probe /readyz."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from targets.gateway.config import RetryConfig
from targets.gateway.policies import Policy
from targets.gateway.pool import Instance

__all__ = ["Attempt", "Outcome", "forward", "merge_reply", "probe_ready"]

# What a broken or slow link looks like from here: refused, reset, closed early, or too slow.
_LINK_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)


@dataclass(frozen=True)
class Attempt:
    """One try against one instance."""

    instance: Instance
    status: int | None
    body: bytes
    content_type: str
    error: str | None

    @property
    def ok(self) -> bool:
        """Return True for a 2xx answer with a JSON object body."""
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def client_error(self) -> bool:
        """Return True for a 4xx answer, which is the caller's fault and is not retried."""
        return self.error is None and self.status is not None and 400 <= self.status < 500


@dataclass
class Outcome:
    """What the gateway answers: the last attempt and every failure before it."""

    attempts: list[Attempt] = field(default_factory=list)
    ejected: list[Instance] = field(default_factory=list)

    @property
    def last(self) -> Attempt | None:
        """Return the final attempt, if any was made."""
        return self.attempts[-1] if self.attempts else None

    def failures(self) -> list[str]:
        """Return one `instance: reason` line per failed attempt."""
        return [f"{a.instance.id}: {a.error}" for a in self.attempts if a.error is not None]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "timeout"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


async def _try_once(
    session: aiohttp.ClientSession, inst: Instance, body: bytes, timeout_s: float
) -> Attempt:
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    try:
        async with session.post(
            f"{inst.url}/predict",
            data=body,
            timeout=timeout,
            headers={"Content-Type": "application/json"},
        ) as resp:
            raw = await resp.read()
            status, ctype = resp.status, resp.content_type
    except _LINK_ERRORS as exc:
        return Attempt(inst, None, b"", "", _describe(exc))
    if 400 <= status < 500:
        return Attempt(inst, status, raw, ctype, None)
    if not 200 <= status < 300:
        return Attempt(inst, status, raw, ctype, f"HTTP {status}")
    try:
        valid = isinstance(json.loads(raw), dict)
    except ValueError:
        valid = False
    # A 200 whose body was mangled on the link is a failure, not an answer.
    return Attempt(inst, status, raw, ctype, None if valid else "bad JSON body")


async def forward(
    session: aiohttp.ClientSession, policy: Policy, body: bytes, retry: RetryConfig
) -> Outcome:
    """Try up to `retry.attempts` distinct instances until one answers 2xx or 4xx."""
    outcome = Outcome()
    for inst in policy.candidates()[: retry.attempts]:
        attempt = await _try_once(session, inst, body, retry.per_request_timeout_s)
        outcome.attempts.append(attempt)
        if attempt.ok or attempt.client_error:
            inst.requests_ok += 1
            break
        inst.requests_failed += 1
        if policy.on_request_failure(inst, attempt.error or "failed"):
            outcome.ejected.append(inst)
    return outcome


def merge_reply(attempt: Attempt, attempts: int) -> dict[str, Any]:
    """Return the upstream JSON body with the serving region, instance and attempt count."""
    payload: dict[str, Any] = json.loads(attempt.body)
    payload.update(region=attempt.instance.region, instance=attempt.instance.id, attempts=attempts)
    return payload


async def probe_ready(
    session: aiohttp.ClientSession, inst: Instance, timeout_s: float
) -> tuple[bool, str | None]:
    """GET {url}/readyz once; return (ok, reason) where only a 200 in time is ok."""
    try:
        async with session.get(
            f"{inst.url}/readyz", timeout=aiohttp.ClientTimeout(total=timeout_s)
        ) as resp:
            await resp.read()
            status = resp.status
    except _LINK_ERRORS as exc:
        return False, _describe(exc)
    return (True, None) if status == 200 else (False, f"HTTP {status}")
