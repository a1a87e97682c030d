"""The load worker against a real HTTP gateway look-alike, driven through LoadRunner."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import psutil
import pytest
from fake_gateway import FakeGateway, GatewayPlan, predict_row

from harness.errors import HarnessError
from harness.load.protocol import RowFeed
from harness.load.runner import LoadRunner, LoadSpec, LoadWorkerError, package_root
from harness.load.samples import Sample, read_samples_csv

pytestmark = pytest.mark.integration


def spec_for(url: str, holdout: Path, **over: float) -> LoadSpec:
    fields: dict[str, float] = {"rate": 50.0, "duration_s": 3.0, "timeout_s": 0.4} | over
    return LoadSpec(
        gateway_url=url,
        holdout_path=holdout,
        t0_epoch=time.time(),
        seed=11,
        **fields,  # type: ignore[arg-type]
    )


def test_constant_rate_run_records_every_request(
    gateway: FakeGateway, holdout: Path, tmp_path: Path
) -> None:
    gateway.plan = GatewayPlan(fail_first=10, slow_window=(1.0, 1.6), slow_s=1.0)
    spec = spec_for(gateway.url, holdout)
    seen: list[Sample] = []
    runner = LoadRunner(spec, tmp_path / "samples.csv", on_sample=seen.append)
    runner.start()
    assert runner.wait(timeout=20), "worker did not finish"
    runner.raise_for_error()
    samples = runner.samples
    assert 0.8 * 150 <= len(samples) <= 1.2 * 150
    assert seen == samples
    assert read_samples_csv(tmp_path / "samples.csv") == samples
    check_failures(samples)
    check_labels(samples, holdout, spec.seed)
    check_open_loop(samples, spec.rate)
    summary = runner.summary
    assert summary is not None and summary.offered_rate == 50.0
    assert 40.0 <= summary.achieved_rate <= 60.0
    assert summary.sent == summary.completed == len(samples)
    assert summary.stopped_by == "duration" and runner.returncode == 0


def check_failures(samples: list[Sample]) -> None:
    by_status = Counter(s.status for s in samples)
    assert by_status[503] == 10
    assert all(not s.ok and s.error == "HTTP 503: warming up" for s in samples if s.status == 503)
    timeouts = [s for s in samples if s.status == 0]
    assert timeouts, "the slow window should produce client timeouts"
    assert all(not s.ok and "timeout" in (s.error or "") for s in timeouts)
    assert all(s.latency_ms >= 400.0 for s in timeouts)
    assert by_status[200] == len(samples) - 10 - len(timeouts)


def check_labels(samples: list[Sample], holdout: Path, seed: int) -> None:
    ok = [s for s in samples if s.ok]
    assert ok and all(s.status == 200 and s.predicted is not None for s in ok)
    assert all(s.region == "us-east-1" and s.instance == "inference-0" for s in ok)
    assert all(s.model_version == "v1" and s.correct == (s.predicted == s.label) for s in ok)
    assert 0 < sum(not s.correct for s in ok) < len(ok) / 2
    feed = RowFeed.load(holdout, seed, 1)
    in_send_order = sorted(samples, key=lambda s: s.t_start)
    assert [s.label for s in in_send_order] == [feed.request(i)[1] for i in range(len(samples))]
    for s in ok:
        assert s.label is not None


def check_open_loop(samples: list[Sample], rate: float) -> None:
    """Requests keep starting at the offered rate while replies stall (no coordinated omission)."""
    stalled = [s.t_start for s in samples if s.status == 0]
    lo, hi = min(stalled), max(stalled)
    started = [s for s in samples if lo <= s.t_start <= hi]
    expected = (hi - lo) * rate + 1
    assert len(started) >= 0.75 * expected


def test_stop_during_run_ends_worker_promptly(
    gateway: FakeGateway, holdout: Path, tmp_path: Path
) -> None:
    spec = spec_for(gateway.url, holdout, rate=20.0, duration_s=60.0)
    with LoadRunner(spec, tmp_path / "samples.csv") as runner:
        runner.start()
        pid = runner.pid
        assert pid is not None
        deadline = time.monotonic() + 15
        while runner.sample_count < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(runner.samples) >= 10
        t = time.monotonic()
        runner.stop()
        stopped_in = time.monotonic() - t
    assert stopped_in < spec.timeout_s + 2.0
    assert runner.wait(0) and not runner.running and runner.error is None
    assert not psutil.pid_exists(pid)
    assert not [
        p
        for p in psutil.process_iter(["cmdline"])
        if str(runner.spec_path) in " ".join(p.info["cmdline"] or [])
    ]
    assert runner.summary is not None and runner.summary.stopped_by == "signal"
    assert read_samples_csv(tmp_path / "samples.csv") == runner.samples


def test_worker_failure_is_reported_with_its_stderr(gateway: FakeGateway, tmp_path: Path) -> None:
    spec = spec_for(gateway.url, tmp_path / "missing.npz")
    runner = LoadRunner(spec, tmp_path / "samples.csv")
    runner.start()
    assert runner.wait(timeout=20)
    assert isinstance(runner.error, LoadWorkerError) and runner.returncode == 2
    assert "cannot read held-out file" in (runner.error.hint or "")
    with pytest.raises(LoadWorkerError):
        runner.raise_for_error()
    assert runner.samples == [] and gateway.log.requests == 0


def test_non_loopback_url_is_refused(gateway: FakeGateway, holdout: Path, tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match=r"only http://127\.0\.0\.1"):
        spec_for("http://10.20.30.40:8080", holdout)
    bad = json.loads(spec_for(gateway.url, holdout).to_json())
    bad["gateway_url"] = gateway.url.replace("127.0.0.1", "localhost")
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(bad))
    proc = subprocess.run(
        [sys.executable, "-m", "harness.load.worker", "--spec", str(spec_path)],
        cwd=package_root(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 2
    assert "refusing gateway URL" in proc.stderr and proc.stdout == ""
    assert gateway.log.requests == 0


NODELAY_CHECK = """
import socket, sys
import harness.load.worker as worker
from geventhttpclient.connectionpool import ConnectionPool
from locust.contrib.fasthttp import FastHttpSession
from locust.event import EventHook
worker.enable_tcp_nodelay()
seen = []
patched = ConnectionPool.after_connect
def spy(self, sock):
    patched(self, sock)
    seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
ConnectionPool.after_connect = spy
session = FastHttpSession(sys.argv[1], request_event=EventHook(), user=None, max_retries=0)
resp = session.request("POST", "/predict", data=b'{"rows":[[1.0]]}')
print(resp.status_code, seen, file=sys.stderr)
"""


def test_client_sockets_have_tcp_nodelay(gateway: FakeGateway) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", NODELAY_CHECK, gateway.url],
        cwd=package_root(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.stderr.strip().splitlines()[-1] == "200 [1]"


def test_fake_model_is_what_labels_are_checked_against() -> None:
    assert predict_row([0.5, -1.0]) == 1 and predict_row([-0.5]) == 0
    assert np.float32(0.1).item() == pytest.approx(0.1)


def test_a_worker_started_ahead_sends_nothing_before_the_go_then_keeps_time(
    gateway: FakeGateway, holdout: Path, tmp_path: Path
) -> None:
    """The harness starts the worker while the stack starts: locust's import costs the run
    nothing, and time zero is set once both are up."""
    from harness.load.spec import PENDING_GATEWAY

    spec = spec_for(PENDING_GATEWAY, holdout, duration_s=1.0)
    runner = LoadRunner(replace(spec, t0_epoch=0.0, await_go=True), tmp_path / "samples.csv")
    runner.start()
    try:
        time.sleep(2.0)  # the worker is ready long before this; it must wait for the go
        assert gateway.log.requests == 0 and runner.sample_count == 0 and runner.running
        t0 = runner.go(gateway.url, lead_s=0.3, timeout_s=30)
        assert runner.wait(timeout=20), "worker did not finish"
    finally:
        runner.stop()
    runner.raise_for_error()
    samples = runner.samples
    assert len(samples) == 50 and gateway.log.requests == 50
    assert 0.0 <= min(s.t_start for s in samples) < 0.05  # the first request leaves at time zero
    summary = runner.summary
    assert summary is not None and summary.late_sends == 0 and summary.stopped_by == "duration"
    assert runner.spec.t0_epoch == t0 and runner.spec.gateway_url == gateway.url


def test_go_to_a_worker_that_died_first_raises_its_failure(holdout: Path, tmp_path: Path) -> None:
    from harness.load.spec import PENDING_GATEWAY

    spec = replace(spec_for(PENDING_GATEWAY, holdout), await_go=True, t0_epoch=0.0)
    runner = LoadRunner(spec, tmp_path / "samples.csv")
    runner.start()
    try:
        assert runner.pid is not None
        os.killpg(runner.pid, signal.SIGKILL)  # a crash before the go, not a stop of ours
        with pytest.raises(LoadWorkerError, match="exited with code -9"):
            runner.go("http://127.0.0.1:9", lead_s=0.3, timeout_s=30)
    finally:
        runner.stop()
