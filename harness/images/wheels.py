"""The wheelhouse: wheels for an image, downloaded once on the host and reused offline."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from harness import settings
from harness.images.engine import ImageError

# Wheels built for glibc up to Debian bookworm's 2.36 run on every base we target (bookworm,
# trixie); pip does not widen a manylinux tag to older glibc versions, so we list them all.
MAX_GLIBC_MINOR = 36
MIN_GLIBC_MINOR = 5
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class WheelTarget:
    """The interpreter and CPU the wheels are for (the base image's, not the host's)."""

    python: str  # "3.11"
    arch: str  # "x86_64", "aarch64"

    def platforms(self) -> list[str]:
        """Every manylinux platform tag a wheel for this target may carry."""
        tags = [
            f"manylinux_2_{m}_{self.arch}" for m in range(MAX_GLIBC_MINOR, MIN_GLIBC_MINOR - 1, -1)
        ]
        return [
            *tags,
            f"manylinux2014_{self.arch}",
            f"manylinux2010_{self.arch}",
            f"manylinux1_{self.arch}",
        ]

    def pip_args(self) -> list[str]:
        """`pip download` flags that select wheels for this target whatever the host is."""
        nodot = self.python.replace(".", "")
        args = ["--only-binary=:all:", "--implementation", "cp", "--python-version", self.python]
        args += ["--abi", f"cp{nodot}"]
        for platform in self.platforms():
            args += ["--platform", platform]
        return args


@dataclass(frozen=True)
class Wheelhouse:
    """A folder of wheels and their file names (sorted)."""

    path: Path
    names: tuple[str, ...]


def wheelhouse_key(requirements: tuple[str, ...], target: WheelTarget) -> str:
    """Cache key of a wheelhouse: the requirement list (order-free) and the target."""
    text = json.dumps([sorted(requirements), target.python, target.arch])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def ensure_wheelhouse(
    requirements: tuple[str, ...], target: WheelTarget, progress: Callable[[str], None]
) -> Wheelhouse:
    """Return the cached wheelhouse for `requirements`, downloading it the first time."""
    root = settings.cache_dir() / "wheels"
    final = root / wheelhouse_key(requirements, target)
    if not (final / MANIFEST).exists():
        progress(f"downloading wheels: {' '.join(requirements)}")
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".download-", dir=root))
        try:
            _download(requirements, target, tmp)
            _publish(tmp, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    names = json.loads((final / MANIFEST).read_text())["wheels"]
    return Wheelhouse(final, tuple(names))


def _download(requirements: tuple[str, ...], target: WheelTarget, into: Path) -> None:
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check"]
    cmd += [*target.pip_args(), "--dest", str(into), *requirements]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()][-8:]
        raise ImageError(
            f"could not download the wheels {' '.join(requirements)} for Python {target.python} "
            f"on {target.arch}:\n" + "\n".join(f"  | {ln}" for ln in lines),
            hint="a first build downloads wheels from PyPI once (later builds work offline); "
            "check that PyPI is reachable",
        )
    names = sorted(p.name for p in into.glob("*.whl"))
    (into / MANIFEST).write_text(json.dumps({"requirements": list(requirements), "wheels": names}))


def _publish(tmp: Path, final: Path) -> None:
    # A rename makes the wheelhouse appear whole; a concurrent download that won keeps its copy.
    try:
        os.rename(tmp, final)
    except OSError:
        if not (final / MANIFEST).exists():
            shutil.rmtree(final, ignore_errors=True)
            os.rename(tmp, final)
