"""Spot metadata server of one instance: EC2 IMDS, GCE metadata and Azure Scheduled Events at once.

`python -m targets.metadata.server --host H --port P --state FILE --instance NAME` reads the
schedule the harness writes to FILE on every request and answers each cloud's spot API as that
cloud does (contract: docs/spot.md). Prints one JSON `ready` line, stops on SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import secrets
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from targets.common import flags
from targets.common.jsonlog import log_event
from targets.common.net import nodelay_middleware
from targets.common.serve import ServeOptions, serve
from targets.metadata import formats
from targets.metadata.flags import MetadataFlags
from targets.metadata.formats import Schedule, ScheduleError

__all__ = ["MetadataState", "build_app", "main"]

SERVICE = "metadata"
TOKEN_PATH = "/latest/api/token"
TOKEN_TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER = "X-aws-ec2-metadata-token"
MAX_TOKEN_TTL_S = 21600
GCP_FLAVOR = "Metadata-Flavor"
GCP_WAIT_DEFAULT_S = 60.0
# A held wait_for_change re-reads the file this often, so a rewritten or deleted file counts.
GCP_RECHECK_S = 0.25
AZURE_NO_HEADER = {"error": "Bad request. Required metadata header not specified"}
AZURE_NO_VERSION = {
    "error": "Bad request. api-version was not specified in the request. "
    "For more information refer to aka.ms/azureimds",
    "newest-versions": ["2020-07-01"],
}
# EC2's metadata service answers errors with this XHTML page.
AWS_ERROR_PAGE = """<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head>
  <title>{code} - {reason}</title>
 </head>
 <body>
  <h1>{code} - {reason}</h1>
 </body>
</html>
"""


@dataclass
class MetadataState:
    """The state file, the instance name and the IMDSv2 tokens handed out."""

    state_path: Path
    instance: str
    tokens: dict[str, float] = field(default_factory=dict)  # token -> monotonic expiry
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _raw: bytes = b""  # what an absent file reads as: a fresh instance logs nothing
    _schedule: Schedule | None = None

    def schedule(self) -> Schedule | None:
        """Read the state file now; absent, empty or invalid means no notice."""
        try:
            raw = self.state_path.read_bytes()
        except OSError:
            raw = b""
        if raw != self._raw:  # parse and log only when the harness replaced the file
            self._raw = raw
            self._schedule = self._parse(raw)
        return self._schedule

    def _parse(self, raw: bytes) -> Schedule | None:
        try:
            schedule = formats.parse_schedule(raw)
        except ScheduleError as exc:
            log_event("schedule_invalid", path=str(self.state_path), error=str(exc))
            return None
        if schedule is None:
            log_event("schedule_cleared", path=str(self.state_path))
        else:
            log_event("schedule", path=str(self.state_path), **vars(schedule))
        return schedule

    def issue_token(self, ttl_s: int) -> str:
        """Hand out an IMDSv2 token valid for ttl_s seconds (expired ones are forgotten)."""
        now = time.monotonic()
        self.tokens = {t: exp for t, exp in self.tokens.items() if exp > now}
        token = base64.b64encode(secrets.token_bytes(42)).decode()
        self.tokens[token] = now + ttl_s
        return token

    def token_ok(self, token: str) -> bool:
        """True when `token` was handed out here and has not expired."""
        return self.tokens.get(token, 0.0) > time.monotonic()


STATE = web.AppKey("state", MetadataState)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _aws_error(status: int) -> web.Response:
    reason = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}[status]
    body = AWS_ERROR_PAGE.format(code=status, reason=reason)
    return web.Response(status=status, text=body, content_type="text/html")


def _gcp_text(text: str, status: int = 200) -> web.Response:
    return web.Response(status=status, text=text, content_type="text/plain")


def _azure_json(doc: object, status: int = 200) -> web.Response:
    # Azure's IMDS writes compact JSON.
    body = json.dumps(doc, separators=(",", ":"))
    return web.Response(status=status, text=body, content_type="application/json")


def _gate(request: web.Request) -> web.Response | None:
    """Each cloud's header rules for its own paths; None lets the request through."""
    path = request.path
    if path.startswith("/latest/") and path != TOKEN_PATH:
        token = request.headers.get(TOKEN_HEADER)
        if token is not None and not request.app[STATE].token_ok(token):
            return _aws_error(401)
    elif path.startswith("/computeMetadata/") and request.headers.get(GCP_FLAVOR) != "Google":
        return web.Response(
            status=403,
            text="Missing Metadata-Flavor:Google header.\n",
            content_type="text/html",
        )
    elif path.startswith("/metadata/"):
        if request.headers.get("Metadata", "").lower() != "true":
            return _azure_json(AZURE_NO_HEADER, 400)
        if not request.query.get("api-version"):
            return _azure_json(AZURE_NO_VERSION, 400)
    return None


@web.middleware
async def cloud_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Apply the header rules, and stamp every GCE answer with `Metadata-Flavor: Google`."""
    response = _gate(request) or await handler(request)
    if request.path.startswith("/computeMetadata/"):
        response.headers[GCP_FLAVOR] = "Google"
    return response


async def healthz(request: web.Request) -> web.StreamResponse:
    """Answer 200 while the process lives."""
    return web.json_response({"status": "ok"})


async def aws_token(request: web.Request) -> web.StreamResponse:
    """IMDSv2: PUT with a TTL of 1..21600 s gets a token; a missing or bad TTL gets 400."""
    try:
        ttl = int(request.headers.get(TOKEN_TTL_HEADER, ""))
    except ValueError:
        return _aws_error(400)
    if not 1 <= ttl <= MAX_TOKEN_TTL_S:
        return _aws_error(400)
    token = request.app[STATE].issue_token(ttl)
    return web.Response(text=token, content_type="text/plain", headers={TOKEN_TTL_HEADER: str(ttl)})


async def aws_instance_action(request: web.Request) -> web.StreamResponse:
    """404 until the notice, then the termination action and time."""
    body = formats.aws_instance_action(request.app[STATE].schedule(), time.time())
    if body is None:
        return _aws_error(404)
    return web.Response(text=body, content_type="application/json")


async def aws_rebalance(request: web.Request) -> web.StreamResponse:
    """404 until the rebalance recommendation, then its noticeTime."""
    body = formats.aws_rebalance(request.app[STATE].schedule(), time.time())
    if body is None:
        return _aws_error(404)
    return web.Response(text=body, content_type="application/json")


async def instance_name(request: web.Request) -> web.StreamResponse:
    """EC2 instance-id and GCE instance/name: the instance's name."""
    return web.Response(text=request.app[STATE].instance, content_type="text/plain")


async def aws_not_found(request: web.Request) -> web.StreamResponse:
    """Any other EC2 metadata path."""
    return _aws_error(404)


async def gcp_preempted(request: web.Request) -> web.StreamResponse:
    """FALSE or TRUE; with wait_for_change=true, held until the value changes or the timeout."""
    state = request.app[STATE]
    first = formats.gcp_preempted(state.schedule(), time.time())
    if request.query.get("wait_for_change", "").lower() != "true":
        return _gcp_text(first)
    try:
        timeout_s = float(request.query.get("timeout_sec", GCP_WAIT_DEFAULT_S))
    except ValueError:
        return _gcp_text("timeout_sec must be a number of seconds\n", 400)
    if not 0 <= timeout_s < float("inf"):
        return _gcp_text("timeout_sec must be a number of seconds\n", 400)
    return _gcp_text(await _wait_for_change(state, first, timeout_s))


async def _wait_for_change(state: MetadataState, first: str, timeout_s: float) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        now = time.time()
        schedule = state.schedule()
        value = formats.gcp_preempted(schedule, now)
        left = deadline - time.monotonic()
        if value != first or left <= 0 or state.stopping.is_set():
            return value
        step = min(left, GCP_RECHECK_S)
        if schedule is not None and schedule.notice_at > now:
            step = min(step, schedule.notice_at - now)  # wake right at the notice, not after
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(state.stopping.wait(), step)


async def gcp_not_found(request: web.Request) -> web.StreamResponse:
    """Any other GCE metadata path."""
    return _gcp_text("Not Found\n", 404)


async def azure_events(request: web.Request) -> web.StreamResponse:
    """The Scheduled Events document at this moment."""
    state = request.app[STATE]
    return _azure_json(
        formats.azure_scheduled_events(state.schedule(), time.time(), state.instance)
    )


async def azure_approve(request: web.Request) -> web.StreamResponse:
    """Approving an event early is accepted and ignored: the harness keeps the schedule."""
    return web.Response(status=200)


def build_app(state: MetadataState) -> web.Application:
    """Wire the three clouds' routes, the header rules and the state into an app."""
    app = web.Application(middlewares=[nodelay_middleware, cloud_middleware])
    app[STATE] = state
    r = app.router
    r.add_get("/healthz", healthz)
    r.add_put(TOKEN_PATH, aws_token)
    r.add_get("/latest/meta-data/spot/instance-action", aws_instance_action)
    r.add_get("/latest/meta-data/events/recommendations/rebalance", aws_rebalance)
    r.add_get("/latest/meta-data/instance-id", instance_name)
    r.add_route("*", "/latest/{tail:.*}", aws_not_found)
    r.add_get("/computeMetadata/v1/instance/preempted", gcp_preempted)
    r.add_get("/computeMetadata/v1/instance/name", instance_name)
    r.add_route("*", "/computeMetadata/{tail:.*}", gcp_not_found)
    r.add_get("/metadata/scheduledevents", azure_events)
    r.add_post("/metadata/scheduledevents", azure_approve)
    return app


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = flags.parser(MetadataFlags, "python -m targets.metadata.server", __doc__)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Serve the metadata APIs until SIGTERM/SIGINT and return the exit code."""
    args = _parse_args(argv)
    state = MetadataState(state_path=args.state, instance=args.instance)
    opts = ServeOptions(
        service=SERVICE,
        host=args.host,
        port=args.port,
        shutdown_timeout_s=1.0,
        ready_fields={"instance": args.instance, "state": str(args.state)},
    )
    try:
        return asyncio.run(serve(build_app(state), opts, on_drain=state.stopping.set))
    except OSError as exc:
        log_event("error", service=SERVICE, instance=args.instance, error=repr(exc))
        print(f"metadata: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
