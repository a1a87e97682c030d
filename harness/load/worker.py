"""Load worker subprocess: labelled requests in the service's protocol at a constant open-loop rate."""

from __future__ import annotations

import argparse
import logging
import math
import os
import resource
import signal
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, cast

import gevent
import gevent.event
import gevent.pool
import locust.runners
from geventhttpclient.connectionpool import ConnectionPool
from locust import FastHttpUser, constant, task
from locust.contrib.fasthttp import FastHttpSession
from locust.env import Environment
from locust.exception import StopUser

from harness.errors import HarnessError
from harness.load.protocol import (
    Outgoing,
    Reply,
    ReplyReader,
    RowFeed,
    encode_sample,
    failed_reply,
    make_sample,
)
from harness.load.samples import Sample
from harness.load.spec import READY_LINE, LoadSpec, LoadSummary, check_gateway_url
from harness.load.stats import LATE_SEND_S, RunStats, summarize

log = logging.getLogger("harness.load.worker")

FLUSH_INTERVAL_S = 0.005
LOG_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


class OpenLoopSchedule:
    """Send request i at start + i/rate, each in its own greenlet, never waiting for earlier replies.

    Why open loop rather than N paced users: a chaos tool must not slow its load when the system
    breaks (coordinated omission). Locust's `constant_pacing`/`constant_throughput` users each wait
    for their own reply, so a stall silently drops slots unless N >= rate x timeout users are kept,
    each holding its own connection, and a missed slot is skipped rather than caught up. Here one
    scheduler greenlet fires every slot on time (catching up if it was late), and the replies
    share one keep-alive pool that grows only as deep as the stall needs (up to rate x timeout),
    so on a healthy target a handful of connections carry the whole rate.
    """

    def __init__(
        self,
        spec: LoadSpec,
        feed: RowFeed,
        emit: Callable[[Sample], None],
        reader: ReplyReader | None = None,
    ) -> None:
        self.spec = spec
        self.feed = feed
        self.reader = reader or ReplyReader(batch_size=spec.batch_size)
        self.emit = emit
        self.stats = RunStats()
        self.group = gevent.pool.Group()
        self.stopping = gevent.event.Event()
        self.done = gevent.event.Event()

    def run(self, session: FastHttpSession) -> None:
        """Send the whole schedule, then wait for every reply (each bounded by the timeout)."""
        self._send_all(session)
        self.group.join()

    def request_stop(self, reason: str = "signal") -> None:
        """Stop sending; a second call also abandons the requests still in flight."""
        if self.stopping.is_set():
            log.warning("second stop request: abandoning %d request(s) in flight", len(self.group))
            self.group.kill(block=False)
            return
        log.info("stop requested (%s): no new requests, waiting for replies in flight", reason)
        self.stats.stopped_by = reason
        self.stopping.set()

    def _send_all(self, session: FastHttpSession) -> None:
        rate, planned = self.spec.rate, self.spec.planned_requests
        # t0 is the run's time zero: the harness sets it a little ahead so that locust's import
        # and start-up never eat into the baseline phase.
        self.stopping.wait(max(0.0, self.spec.t0_epoch - time.time()))
        start = time.monotonic()
        end = start + self.spec.duration_s
        i = 0
        while not self.stopping.is_set():
            now = time.monotonic()
            if now >= end:
                break
            due = min(planned, math.floor((now - start) * rate) + 1)
            while i < due:
                self._note_lag(now - (start + i / rate))
                self.group.spawn(self._fire, session, i)
                i += 1
            self.stats.max_in_flight = max(self.stats.max_in_flight, len(self.group))
            next_at = start + i / rate if i < planned else end
            self.stopping.wait(max(0.0, min(next_at, end) - time.monotonic()))
        self.stats.sent = i
        self.stats.send_window_s = min(time.monotonic(), end) - start

    def _note_lag(self, lag_s: float) -> None:
        self.stats.max_lag_s = max(self.stats.max_lag_s, lag_s)
        if lag_s > LATE_SEND_S:
            self.stats.late_sends += 1

    def _fire(self, session: FastHttpSession, i: int) -> None:
        sent = self.feed.request(i, i / self.spec.rate)
        t0 = self.spec.t0_epoch
        t_start, p0 = time.time() - t0, time.perf_counter()
        reply = failed_reply("internal: no reply recorded")
        try:
            reply = self._post(session, sent)
        except gevent.GreenletExit:
            reply = failed_reply("aborted: worker stopped before the reply")
            raise
        finally:
            latency_ms = (time.perf_counter() - p0) * 1000.0
            sample = make_sample(t_start, time.time() - t0, latency_ms, sent, reply, i)
            self.stats.completed += 1
            self.stats.ok += sample.ok
            self.emit(sample)

    def _post(self, session: FastHttpSession, sent: Outgoing) -> Reply:
        timer = gevent.Timeout(self.spec.timeout_s)
        timer.start()
        try:
            # locust sends bytes as they are and copies the headers (its stubs say str, dict)
            body, headers = cast(str, sent.body), cast(dict[str, str], sent.headers)
            resp = session.request("POST", sent.path, data=body, headers=headers)
            if resp.status_code == 0:
                return failed_reply(self._describe(getattr(resp, "error", None), timer))
            # an answer the protocol cannot decode is a failed sample: read() never raises it
            return self.reader.read(resp.status_code, resp.content, resp.headers)
        except gevent.Timeout as exc:
            if exc is not timer:
                raise
            return failed_reply(self._describe(exc, timer))
        except Exception as exc:
            return Reply(ok=False, status=0, error=f"{type(exc).__name__}: {exc}"[:300])
        finally:
            timer.close()

    def _describe(self, err: BaseException | None, timer: gevent.Timeout) -> str:
        """Name a transport failure; our deadline may arrive wrapped by geventhttpclient."""
        err = getattr(err, "original", None) or err  # unwrap RetriesExceeded
        if err is timer or isinstance(err, (socket.timeout, TimeoutError)):
            return f"timeout: no complete reply within {self.spec.timeout_s:g}s"
        return f"{type(err).__name__}: {err}" if err is not None else "no reply"


class LineEmitter:
    """Stream samples to the harness as JSON lines, flushed every few ms by one greenlet."""

    def __init__(self, out: IO[bytes], on_lost: Callable[[str], None]) -> None:
        self._out = out
        self._buf: list[str] = []
        self._on_lost = on_lost
        self._lost = False
        self._ppid = os.getppid()
        self._greenlet = gevent.spawn(self._loop)

    def put(self, sample: Sample) -> None:
        """Queue one sample for the next flush."""
        self._buf.append(encode_sample(sample))

    def close(self) -> None:
        """Stop the flusher and write what is left."""
        self._greenlet.kill()
        self._flush()

    def _loop(self) -> None:
        ticks = 0
        while True:
            gevent.sleep(FLUSH_INTERVAL_S)
            self._flush()
            ticks += 1
            if ticks % 200 == 0 and os.getppid() != self._ppid:
                self._lose("parent process gone")

    def _flush(self) -> None:
        if not self._buf or self._lost:
            return
        data, self._buf = "\n".join(self._buf) + "\n", []
        try:
            self._out.write(data.encode())
            self._out.flush()
        except (BrokenPipeError, ValueError, OSError):
            self._lose("sample stream closed by the harness")

    def _lose(self, why: str) -> None:
        if not self._lost:
            self._lost = True
            log.error("%s: stopping", why)
            self._on_lost(why)


class PredictUser(FastHttpUser):
    """One locust user whose single task runs the whole open-loop schedule."""

    abstract = True
    wait_time = constant(0)
    schedule: OpenLoopSchedule

    @task
    def drive(self) -> None:
        """Run the schedule once, then stop this user."""
        try:
            self.schedule.run(self.client)
        except Exception:
            log.exception("load schedule failed")
            self.schedule.stats.crashed = True
        finally:
            self.schedule.done.set()
        raise StopUser()


def user_class(spec: LoadSpec, schedule: OpenLoopSchedule) -> type[PredictUser]:
    """Make the concrete user class for this run (host, timeouts, pool depth, no retries)."""
    attrs: dict[str, Any] = {
        "abstract": False,
        "host": check_gateway_url(spec.gateway_url),
        "schedule": schedule,
        # The schedule's gevent.Timeout is the deadline; these only guard a stuck socket op.
        "network_timeout": spec.timeout_s * 2,
        "connection_timeout": spec.timeout_s * 2,
        "concurrency": spec.pool_depth,
        "max_retries": 0,
    }
    return type("GatewayUser", (PredictUser,), attrs)


def enable_tcp_nodelay() -> None:
    """Set TCP_NODELAY on every client socket (geventhttpclient leaves Nagle on)."""

    def after_connect(self: ConnectionPool, sock: Any) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    ConnectionPool.after_connect = after_connect  # type: ignore[method-assign]


def raise_fd_limit(needed: int) -> None:
    """Raise the soft open-file limit so the pool can hold `needed` sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed + 256 if hard == resource.RLIM_INFINITY else min(hard, needed + 256)
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def run(spec: LoadSpec, out: IO[bytes]) -> LoadSummary:
    """Drive the load described by `spec`, writing samples to `out`; return the summary."""
    protocol = spec.protocol_spec()
    feed = RowFeed.load(spec.holdout_path, spec.seed, spec.batch_size, protocol, spec.features)
    for start_s, end_s, path in spec.corruptions:
        feed.add_corruption(start_s, end_s, path)
    reader = ReplyReader(protocol, spec.classes, spec.batch_size)
    enable_tcp_nodelay()
    raise_fd_limit(spec.pool_depth)
    locust.runners.CPU_MONITOR_INTERVAL = 1.0  # default 10 s is longer than many runs
    schedule = OpenLoopSchedule(spec, feed, lambda s: emitter.put(s), reader)
    emitter = LineEmitter(out, schedule.request_stop)
    env = Environment(user_classes=[user_class(spec, schedule)])
    runner = env.create_local_runner()
    for sig in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(sig, schedule.request_stop)
    cpu0, wall0 = time.process_time(), time.monotonic()
    runner.start(1, spawn_rate=1)
    schedule.done.wait()
    cpu_percent = 100.0 * (time.process_time() - cpu0) / max(time.monotonic() - wall0, 1e-6)
    cpu_warning = runner.cpu_warning_emitted
    runner.quit()
    emitter.close()
    return summarize(spec, schedule.stats, cpu_percent, cpu_warning)


def await_go(spec: LoadSpec, out: IO[bytes], go: IO[bytes]) -> LoadSpec:
    """Say the worker is ready (imports done), then take the gateway URL and time zero from `go`.

    The harness starts the worker while the stack starts, so locust's import costs the run
    nothing, and sets time zero only once both are up.
    """
    out.write(READY_LINE)
    out.flush()
    line = go.readline()
    if not line:
        raise HarnessError("load: the harness closed stdin before sending the go line")
    return spec.with_go(line)


def take_stdout() -> IO[bytes]:
    """Keep fd 1 for samples only: return it as a file and point fd 1 / sys.stdout at stderr."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the worker CLI; return 0 on a clean end, 2 on bad input, 1 when the run crashed."""
    parser = argparse.ArgumentParser(prog="python -m harness.load.worker")
    parser.add_argument("--spec", required=True, type=Path, help="load spec JSON file")
    parser.add_argument("--run-id", default=None, help="marker so leftovers can be found")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format=LOG_FORMAT)
    out = take_stdout()
    try:
        spec = LoadSpec.read(args.spec)
        if spec.await_go:
            spec = await_go(spec, out, sys.stdin.buffer)
        summary = run(spec, out)
    except HarnessError as exc:
        print(f"error: {exc.render()}", file=sys.stderr, flush=True)
        return 2
    print(summary.to_line(), file=sys.stderr, flush=True)
    return 1 if summary.stopped_by == "crash" else 0


if __name__ == "__main__":
    raise SystemExit(main())
