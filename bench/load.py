"""Benchmark: offered vs achieved rate and latency of the load worker against a trivial local server."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.load.runner import LoadRunner, LoadSpec

REPLY = (
    b'{"predictions":[1],"probabilities":[[0.3,0.7]],"model_version":"v1",'
    b'"region":"local","instance":"bench-0","attempts":1}'
)


def serve() -> None:
    """Serve a trivial /predict on 127.0.0.1:0 and print the port (the --serve mode)."""
    from aiohttp import web

    async def predict(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=REPLY, content_type="application/json")

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/predict", predict)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
        await site.start()
        print(runner.addresses[0][1], flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


def pin(pid: int, cpu: int) -> None:
    """Pin a process to one core when the machine has more than one."""
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(pid, {cpu % (os.cpu_count() or 1)})


def measure(url: str, holdout: Path, out_dir: Path, rate: float, duration_s: float) -> str:
    """Run the worker at one offered rate and return one result line."""
    spec = LoadSpec(url, holdout, rate, duration_s, time.time(), seed=1, timeout_s=2.0)
    runner = LoadRunner(spec, out_dir / f"samples-{int(rate)}.csv")
    runner.start()
    assert runner.pid is not None
    pin(runner.pid, 1)
    runner.wait(duration_s + 30)
    runner.stop()
    runner.raise_for_error()
    samples, summary = runner.samples, runner.summary
    assert summary is not None
    lat = np.array([s.latency_ms for s in samples if s.ok]) if samples else np.zeros(1)
    ok_pct = 100.0 * sum(s.ok for s in samples) / max(len(samples), 1)
    return (
        f"{rate:8.0f} {summary.achieved_rate:9.1f} {len(samples) / duration_s:10.1f} "
        f"{ok_pct:6.1f} {np.percentile(lat, 50):8.2f} {np.percentile(lat, 99):8.2f} "
        f"{summary.max_lag_ms:8.1f} {summary.late_sends:6d} {summary.max_in_flight:6d} "
        f"{summary.cpu_percent:6.1f} {summary.cpu_bound!s:>5}"
    )


def main() -> None:
    """Start the server, then measure each offered rate in turn."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rates", default="100,300,1000")
    parser.add_argument("--duration", type=float, default=5.0)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    server = subprocess.Popen([sys.executable, __file__, "--serve"], stdout=subprocess.PIPE)
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{int(server.stdout.readline())}"
        pin(server.pid, 0)
        with tempfile.TemporaryDirectory() as tmp:
            holdout = Path(tmp) / "holdout.npz"
            x = np.random.default_rng(0).normal(size=(1000, 20)).astype(np.float32)
            np.savez(holdout, X=x, y=(x[:, 0] > 0).astype(np.int64))
            print(
                f"cores={os.cpu_count()} server pinned to cpu0, worker to cpu1, {args.duration:g}s each"
            )
            print(
                " offered  achieved  completed/s   ok%   p50 ms   p99 ms  lag ms  late  inflt   cpu%   cpu-bound"
            )
            for rate in (float(r) for r in args.rates.split(",")):
                print(measure(url, holdout, Path(tmp), rate, args.duration), flush=True)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
