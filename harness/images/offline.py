"""The offline base image: Debian bookworm with python3 made by debootstrap, imported as an image."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness import settings
from harness.images.engine import ImageError

OFFLINE_BASE = "harness-base:bookworm-py311"
OFFLINE_PYTHON = "3.11"  # bookworm's python3
SUITE = "bookworm"
PACKAGES = "python3,python3-venv,ca-certificates"
PATH_ENV = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Dockerfile instructions applied on import: a rootfs tar carries no config of its own.
IMPORT_CHANGES = [
    f"ENV PATH={PATH_ENV}",
    "ENV LANG=C.UTF-8",
    'CMD ["python3"]',
    f"LABEL harness.image=base harness.python={OFFLINE_PYTHON}",
]
# Files only apt and humans need; dropping them makes the image smaller and the import quicker.
TRIMMED = ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc", "usr/share/man")
MOUNTS_INSIDE = ("proc", "sys", "dev/pts")


def build_offline_base(client: Any, progress: Callable[[str], None]) -> Any:
    """Debootstrap bookworm with python3 into a temp dir and import it as OFFLINE_BASE."""
    debootstrap = _debootstrap_path()
    tmp_root = settings.cache_dir() / "tmp"
    tmp_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="offline-base-", dir=tmp_root))
    try:
        rootfs = work / "rootfs"
        progress(f"  debootstrap {SUITE} (python3) from {settings.debian_mirror()}")
        _run_debootstrap(debootstrap, rootfs, work / "debootstrap.log")
        _trim(rootfs)
        progress(f"  importing the root file system as {OFFLINE_BASE}")
        _import(client, rootfs)
    finally:
        _remove(work)
    return client.images.get(OFFLINE_BASE)


def _debootstrap_path() -> str:
    found = shutil.which("debootstrap") or shutil.which("debootstrap", path="/usr/sbin:/sbin")
    if not found:
        raise ImageError(
            f"debootstrap is needed to build the offline base image {OFFLINE_BASE}",
            hint="install it (Debian/Ubuntu: `apt-get install debootstrap`, or run "
            "`scripts/ensure-docker.sh` as root), or set HARNESS_BASE_IMAGE to an image "
            "with python3 that the engine already has",
        )
    if os.geteuid() != 0:
        raise ImageError(
            f"building the offline base image {OFFLINE_BASE} needs root (debootstrap)",
            hint="run `harness images build` once as root, or set HARNESS_BASE_IMAGE to an "
            "image with python3 that the engine already has",
        )
    return found


def _run_debootstrap(debootstrap: str, rootfs: Path, log: Path) -> None:
    cmd = [debootstrap, "--variant=minbase", f"--include={PACKAGES}", SUITE, str(rootfs)]
    with log.open("w") as out:
        proc = subprocess.run(
            [*cmd, settings.debian_mirror()], stdout=out, stderr=subprocess.STDOUT, check=False
        )
    if proc.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-10:]
        raise ImageError(
            f"debootstrap failed (exit {proc.returncode}) building {OFFLINE_BASE}:\n"
            + "\n".join(f"  | {line}" for line in tail),
            hint="check that the Debian mirror is reachable (HARNESS_DEBIAN_MIRROR)",
        )


def _trim(rootfs: Path) -> None:
    for rel in TRIMMED:
        folder = rootfs / rel
        if folder.is_dir():
            for child in folder.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)


def _import(client: Any, rootfs: Path) -> None:
    repository, tag = OFFLINE_BASE.split(":")
    tar = subprocess.Popen(
        ["tar", "-C", str(rootfs), "--numeric-owner", "-cf", "-", "."],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert tar.stdout is not None
    try:
        # The tar streams straight into the engine (chunked upload): no copy on disk.
        client.api.import_image_from_data(
            tar.stdout, repository=repository, tag=tag, changes=IMPORT_CHANGES
        )
    finally:
        tar.stdout.close()
        err = tar.stderr.read().decode(errors="replace") if tar.stderr else ""
        code = tar.wait()
    if code != 0:
        raise ImageError(f"tar of the offline base root file system failed: {err.strip()[:300]}")


def _remove(work: Path) -> None:
    # debootstrap mounts proc/sys inside the tree; if it was interrupted they may still be
    # mounted, and deleting through a mount would reach the host's files.
    rootfs = work / "rootfs"
    for rel in MOUNTS_INSIDE:
        if os.path.ismount(rootfs / rel):
            subprocess.run(["umount", "-l", str(rootfs / rel)], check=False)
    if any(os.path.ismount(rootfs / rel) for rel in MOUNTS_INSIDE):
        return  # leave it for a human rather than risk it
    shutil.rmtree(work, ignore_errors=True)
