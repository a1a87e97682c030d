"""Which runs the reaper treats as crashed: those whose harness process is gone."""

from __future__ import annotations

import os
import subprocess
import sys

from harness.cleanup import owner_dead


def test_owner_dead() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert owner_dead(proc.pid)
    assert not owner_dead(os.getpid())  # never this process
    assert not owner_dead(os.getppid())
    assert not owner_dead(None)  # unknown owner: left for `harness cleanup`
