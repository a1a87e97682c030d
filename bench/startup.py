"""Benchmark: seconds from `harness run` to a healthy stack (2 regions × 2 inference + gateway).

Prints, per backend, the time until the harness says "stack ready" (images and model cached),
the time to the first request, and the whole run's wall time. Run it twice: the first run of a
fresh machine also builds the model and, for docker, the images.

    .venv/bin/python bench/startup.py [--backends process,docker] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "regional-outage.yaml"


def one_run(backend: str) -> tuple[float, float]:
    """(seconds to 'stack ready', seconds for the whole run) of one short run."""
    with tempfile.TemporaryDirectory() as tmp:
        argv = [
            sys.executable,
            "-m",
            "harness",
            "run",
            str(SCENARIO),
            "--backend",
            backend,
            "--time-scale",
            "0.05",
            "--out",
            str(Path(tmp) / "run"),
        ]
        start = time.monotonic()
        proc = subprocess.Popen(
            argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=ROOT
        )
        ready = float("nan")
        assert proc.stderr is not None
        for line in proc.stderr:
            if "stack ready" in line and ready != ready:
                ready = time.monotonic() - start
        proc.wait()
        return ready, time.monotonic() - start


def main() -> None:
    """Print start-up figures per backend."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="process,docker")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'backend':<8} {'to stack ready (s)':>20} {'whole run (s)':>14}   runs")
    for backend in args.backends.split(","):
        runs = [one_run(backend) for _ in range(args.repeat)]
        ready = [r for r, _ in runs]
        total = [t for _, t in runs]
        print(
            f"{backend:<8} {statistics.median(ready):>20.2f} {statistics.median(total):>14.2f}"
            f"   {', '.join(f'{r:.2f}' for r in ready)}"
        )


if __name__ == "__main__":
    main()
