"""Virtual environments for own services on the process backend, cached by requirements content.

A venv is not relocatable (its scripts name their interpreter by absolute path), so it cannot be
built aside and renamed into place the way the wheelhouse is. It is built at its final path under
a lock instead, and published by a marker file written last: a folder without the marker is a
build that died half-way and is built again.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from harness import settings
from harness.errors import HarnessError

READY_MARKER = ".harness-ready"
PIP_TAIL_LINES = 10  # lines of pip's output a failed install shows
# pip lines worth showing as progress (the rest is noise at this level)
_PROGRESS_PREFIXES = ("Collecting", "Downloading", "Installing", "Successfully")


class VenvError(HarnessError):
    """A venv for a requirements file could not be made."""


def venv_key(requirements: Path) -> str:
    """The cache key: the file's content and the interpreter the venv is made from."""
    digest = hashlib.sha256()
    digest.update(f"{sys.version}\n{sys.base_prefix}\n".encode())
    digest.update(requirements.read_bytes())
    return digest.hexdigest()[:16]


def ensure_venv(requirements: Path, progress: Callable[[str], None]) -> Path:
    """The cached venv with `requirements` installed, made (once) the first time it is asked for."""
    if not requirements.is_file():
        raise VenvError(
            f"requirements file {requirements} does not exist",
            hint="requirements: is relative to the scenario file's folder",
        )
    root = settings.cache_dir() / "venvs"
    final = root / venv_key(requirements)
    if (final / READY_MARKER).exists():
        return final
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root / f"{final.name}.lock"):
        if (final / READY_MARKER).exists():  # another run made it while this one waited
            return final
        shutil.rmtree(final, ignore_errors=True)  # a build that died half-way
        progress(f"making a venv for {requirements} in {final} (once; cached by its content)")
        try:
            _make(requirements, final, progress)
        except BaseException:
            shutil.rmtree(final, ignore_errors=True)
            raise
        (final / READY_MARKER).write_text(str(requirements) + "\n")
    return final


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _make(requirements: Path, final: Path, progress: Callable[[str], None]) -> None:
    _run([sys.executable, "-m", "venv", str(final)], requirements, progress, "python -m venv")
    pip = [str(final / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
    pip += ["--progress-bar", "off", "-r", str(requirements)]
    _run(pip, requirements, progress, "pip install -r")


def _run(argv: list[str], requirements: Path, progress: Callable[[str], None], what: str) -> None:
    """Run one step, relaying pip's main lines; a failure shows the last lines of its output."""
    lines: list[str] = []
    # cwd: `-e .` and other relative lines of a requirements file mean its own folder
    with subprocess.Popen(
        argv,
        cwd=requirements.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip()
            if line.strip():
                lines.append(line)
            if line.startswith(_PROGRESS_PREFIXES):
                progress(f"  {line}")
    if proc.returncode != 0:
        tail = "\n".join(f"  | {ln}" for ln in lines[-PIP_TAIL_LINES:])
        raise VenvError(
            f"could not install {requirements} into a venv ({what} exited with code "
            f"{proc.returncode}):\n{tail}",
            hint="fix the requirements file; packages come from the package registry "
            "(pip's own settings, e.g. PIP_INDEX_URL, apply)",
        )
