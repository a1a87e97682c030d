"""Talk to upstream instances: forward any POST with bounded retries, and probe their health."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from targets.gateway.config import RetryConfig
from targets.gateway.policies import Policy
from targets.gateway.pool import Instance

__all__ = ["Attempt", "Outcome", "Request", "forward", "merge_reply", "probe_ready"]

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


@dataclass(frozen=True)
class Request:
    """What the client POSTed: the path with its query, body and Content-Type, passed on as is."""

    body: bytes
    path: str = "/predict"
    content_type: str = "application/json"

    @property
    def merges(self) -> bool:
        """True for our /predict, whose JSON answer gets region, instance and attempts merged."""
        return self.path == "/predict"


async def _try_once(
    session: aiohttp.ClientSession, inst: Instance, req: Request, timeout_s: float
) -> Attempt:
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    try:
        async with session.post(
            inst.url + req.path,
            data=req.body,
            timeout=timeout,
            headers={"Content-Type": req.content_type},
        ) as resp:
            raw = await resp.read()
            status = resp.status
            ctype = resp.headers.get("Content-Type", "application/json")
    except _LINK_ERRORS as exc:
        return Attempt(inst, None, b"", "", _describe(exc))
    if 400 <= status < 500:
        return Attempt(inst, status, raw, ctype, None)
    if not 200 <= status < 300:
        return Attempt(inst, status, raw, ctype, f"HTTP {status}")
    try:
        doc = json.loads(raw)
        valid = isinstance(doc, dict) or not req.merges
    except ValueError:
        valid = False
    # A 2xx whose body was mangled on the link is a failure, not an answer.
    return Attempt(inst, status, raw, ctype, None if valid else "bad JSON body")


async def forward(
    session: aiohttp.ClientSession, policy: Policy, req: Request | bytes, retry: RetryConfig
) -> Outcome:
    """Try up to `retry.attempts` distinct instances until one answers 2xx or 4xx.

    `req` as bytes is a /predict body (our own protocol).
    """
    if isinstance(req, bytes):
        req = Request(req)
    outcome = Outcome()
    for inst in policy.candidates()[: retry.attempts]:
        attempt = await _try_once(session, inst, req, retry.per_request_timeout_s)
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
    """GET the instance's health path once; (ok, reason): ok is its health status in time."""
    try:
        async with session.get(
            inst.url + inst.health_path, timeout=aiohttp.ClientTimeout(total=timeout_s)
        ) as resp:
            await resp.read()
            status = resp.status
    except _LINK_ERRORS as exc:
        return False, _describe(exc)
    if status == inst.health_status:
        return True, None
    return False, f"HTTP {status} on {inst.health_path} (expected {inst.health_status})"
