"""Spot termination handler: poll the cloud's metadata for a preemption notice, then drain.

One loop per instance (docs/spot.md): every `interval_s` it asks the provider's spot API, with
that provider's headers (an IMDSv2 token on AWS), whether the instance is being reclaimed. The
first notice is logged and counted once and calls `on_notice` (the server starts draining); an
AWS rebalance recommendation is logged and counted but drains nothing. Metadata trouble is
counted and never stops the instance."""

from __future__ import annotations

import asyncio
import calendar
import email.utils
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from targets.common.jsonlog import log_event
from targets.common.metrics import Registry
from targets.common.net import nodelay_socket_factory

__all__ = [
    "PROVIDERS",
    "MetadataError",
    "Seen",
    "TerminationHandler",
    "azure_seen",
    "parse_aws_time",
    "parse_rfc1123",
]

PROVIDERS = ("aws", "gcp", "azure")
AWS_TOKEN_TTL_S = 21600
AZURE_API_VERSION = "2020-07-01"
AZURE_KINDS = ("Preempt", "Terminate")  # both end the VM; Spot VMs get Preempt


class MetadataError(Exception):
    """The metadata service answered something other than its API (a status, a bad body)."""


@dataclass(frozen=True)
class Seen:
    """What one poll saw: a notice (and when the instance goes), a rebalance recommendation."""

    notice: bool = False
    terminate_at: float | None = None
    rebalance_at: float | None = None
    rebalance: bool = False


def parse_aws_time(text: str) -> float:
    """Epoch seconds of EC2's `2017-09-18T08:22:00Z`."""
    return float(calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")))


def parse_rfc1123(text: str) -> float:
    """Epoch seconds of Azure's `Mon, 19 Sep 2016 18:29:47 GMT`."""
    return email.utils.parsedate_to_datetime(text).timestamp()


def _or_none(parse: Callable[[str], float], text: Any) -> float | None:
    # A notice with a time we cannot read is still a notice: drain, log the time as unknown.
    try:
        return parse(text)
    except (TypeError, ValueError, IndexError):
        return None


def azure_seen(doc: Any) -> Seen:
    """Read a Scheduled Events document: the first Preempt/Terminate event is the notice."""
    if not isinstance(doc, dict) or not isinstance(doc.get("Events"), list):
        raise MetadataError(f"not a Scheduled Events document: {doc!r:.200}")
    for event in doc["Events"]:
        if isinstance(event, dict) and event.get("EventType") in AZURE_KINDS:
            return Seen(notice=True, terminate_at=_or_none(parse_rfc1123, event.get("NotBefore")))
    return Seen()


class TerminationHandler:
    """Poll `url` (the instance's metadata endpoint) for `provider`'s spot notice until it comes."""

    def __init__(
        self,
        registry: Registry,
        url: str,
        provider: str,
        interval_s: float,
        on_notice: Callable[[], None],
        timeout_s: float = 2.0,
    ) -> None:
        if provider not in PROVIDERS:
            raise ValueError(f"provider must be one of {PROVIDERS}, got {provider!r}")
        self.url = url.rstrip("/")
        self.provider = provider
        self.interval_s = interval_s
        self.on_notice = on_notice
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.noticed = False
        self.rebalanced = False
        self._token: tuple[str, float] | None = None  # IMDSv2 token, monotonic expiry
        self._failing = False
        self.notice_gauge = registry.gauge(
            "inference_spot_notice", "1 once the cloud announced this spot instance's end."
        )
        self.rebalance_gauge = registry.gauge(
            "inference_spot_rebalance", "1 once the cloud recommended moving off this instance."
        )
        self.errors = registry.counter(
            "inference_spot_poll_errors_total", "Metadata polls that failed (refused, timeouts)."
        )
        for metric in (self.notice_gauge, self.rebalance_gauge, self.errors):
            metric.inc(amount=0.0)  # every series visible from the first scrape

    async def run(self) -> None:
        """Poll until the notice comes (then there is nothing left to learn) or cancelled."""
        connector = aiohttp.TCPConnector(socket_factory=nodelay_socket_factory)
        async with aiohttp.ClientSession(connector=connector, timeout=self.timeout) as session:
            while not self.noticed:
                await self.poll_once(session)
                if not self.noticed:
                    await asyncio.sleep(self.interval_s)

    async def poll_once(self, session: aiohttp.ClientSession) -> None:
        """Ask the metadata once and act on the answer; never raises for metadata trouble."""
        read = {"aws": self._aws, "gcp": self._gcp, "azure": self._azure}[self.provider]
        try:
            seen = await read(session)
        except Exception as exc:  # refused, timeout, bad status or body: keep serving
            self._error(exc)
            return
        self._ok()
        if seen.rebalance and not self.rebalanced:
            self.rebalanced = True
            self.rebalance_gauge.set(value=1.0)
            log_event("spot_rebalance", provider=self.provider, rebalance_at=seen.rebalance_at)
        if seen.notice and not self.noticed:
            self.noticed = True
            self.notice_gauge.set(value=1.0)
            log_event("spot_notice", provider=self.provider, terminate_at=seen.terminate_at)
            self.on_notice()

    async def _get(
        self,
        session: aiohttp.ClientSession,
        path: str,
        headers: dict[str, str],
        params: dict[str, str] | None = None,
    ) -> str | None:
        """GET a metadata path: its text, None for 404 (EC2's "nothing scheduled")."""
        async with session.get(self.url + path, headers=headers, params=params) as resp:
            text = await resp.text()
            if resp.status == 404:
                return None
            if resp.status != 200:
                if resp.status == 401:
                    self._token = None  # expired or unknown: fetch a new one next poll
                raise MetadataError(f"GET {path}: {resp.status} {text[:200]!r}")
            return text

    async def _aws_token(self, session: aiohttp.ClientSession) -> str:
        if self._token is not None and self._token[1] > time.monotonic():
            return self._token[0]
        headers = {"X-aws-ec2-metadata-token-ttl-seconds": str(AWS_TOKEN_TTL_S)}
        async with session.put(self.url + "/latest/api/token", headers=headers) as resp:
            text = await resp.text()
            if resp.status != 200:
                raise MetadataError(f"PUT /latest/api/token: {resp.status} {text[:200]!r}")
        # Renew a minute early so a token never expires between the check and the GET.
        self._token = (text, time.monotonic() + AWS_TOKEN_TTL_S - 60)
        return text

    async def _aws(self, session: aiohttp.ClientSession) -> Seen:
        headers = {"X-aws-ec2-metadata-token": await self._aws_token(session)}
        action = await self._get(session, "/latest/meta-data/spot/instance-action", headers)
        rebalance = await self._get(
            session, "/latest/meta-data/events/recommendations/rebalance", headers
        )
        terminate_at = rebalance_at = None
        if action is not None:
            terminate_at = _or_none(parse_aws_time, _json_field(action, "time"))
        if rebalance is not None:
            rebalance_at = _or_none(parse_aws_time, _json_field(rebalance, "noticeTime"))
        return Seen(
            notice=action is not None,
            terminate_at=terminate_at,
            rebalance=rebalance is not None,
            rebalance_at=rebalance_at,
        )

    async def _gcp(self, session: aiohttp.ClientSession) -> Seen:
        headers = {"Metadata-Flavor": "Google"}
        text = await self._get(session, "/computeMetadata/v1/instance/preempted", headers)
        if text is None or text.strip() not in ("TRUE", "FALSE"):
            raise MetadataError(f"instance/preempted: unexpected {text!r:.200}")
        # GCE tells no termination time: the instance has about 30 s from the notice.
        return Seen(notice=text.strip() == "TRUE")

    async def _azure(self, session: aiohttp.ClientSession) -> Seen:
        headers = {"Metadata": "true"}
        params = {"api-version": AZURE_API_VERSION}
        text = await self._get(session, "/metadata/scheduledevents", headers, params)
        if text is None:
            raise MetadataError("scheduledevents: 404")
        return azure_seen(_json(text))

    def _error(self, exc: Exception) -> None:
        self.errors.inc()
        if not self._failing:  # one log line per outage, not one per poll
            self._failing = True
            log_event("spot_metadata_unreachable", url=self.url, error=repr(exc))

    def _ok(self) -> None:
        if self._failing:
            self._failing = False
            log_event("spot_metadata_reachable", url=self.url)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise MetadataError(f"not JSON: {text[:200]!r}") from exc


def _json_field(text: str, key: str) -> Any:
    """One field of a JSON object body; None when the body is not one (the 200 still counts)."""
    try:
        doc = _json(text)
    except MetadataError:
        return None
    return doc.get(key) if isinstance(doc, dict) else None
