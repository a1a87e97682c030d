"""The CLI stays light: importing it must not pull in locust/gevent (they patch the process)."""

from __future__ import annotations

import subprocess
import sys


def test_cli_import_leaves_locust_and_gevent_out() -> None:
    code = (
        "import sys, harness.cli, harness.run, harness.execute; "
        "print(sorted(m for m in ('locust', 'gevent') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
