"""Start a child in its own process group, and always be able to end the whole group."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path
from typing import IO


def spawn_in_group(
    argv: list[str],
    *,
    cwd: Path,
    stdout: int | IO[bytes],
    stderr: int | IO[bytes],
    stdin: int = subprocess.DEVNULL,
) -> subprocess.Popen[bytes]:
    """Start `argv` as the leader of a new session/process group (immune to the terminal's Ctrl-C)."""
    return subprocess.Popen(
        argv,
        cwd=cwd,
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
        start_new_session=True,
        close_fds=True,
    )


def signal_group(proc: subprocess.Popen[bytes], sig: int) -> bool:
    """Send `sig` to the child's process group; return False when it is already gone."""
    if proc.poll() is not None:
        return False
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return False
    return True


def stop_group(proc: subprocess.Popen[bytes], grace_s: float) -> int:
    """Send SIGTERM to the group, SIGKILL after `grace_s`; return the child's exit code."""
    signal_group(proc, signal.SIGTERM)
    try:
        return proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        pass
    signal_group(proc, signal.SIGKILL)
    return proc.wait()
