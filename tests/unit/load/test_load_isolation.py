"""The harness side of the load never imports locust or gevent (they patch the whole process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

CHECK = """
import sys
import harness.load.runner, harness.load.spec, harness.load.samples, harness.load.stats
bad = sorted(m for m in sys.modules if m.split('.')[0] in ('gevent', 'locust', 'greenlet'))
print(','.join(bad))
"""


def test_runner_import_leaves_gevent_and_locust_out() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_runner_public_api_is_pinned() -> None:
    from harness.load import runner

    assert sorted(runner.__all__) == [
        "LoadRunner",
        "LoadSpec",
        "LoadSummary",
        "LoadWorkerError",
        "worker_argv",
    ]
