"""Print the time of a first image build (offline base included) and of a cached `ensure_images`.

Run: `.venv/bin/python bench/images.py [--from-scratch] [--cached-rounds 3]`. With
`--from-scratch` it first removes the service images and the offline base image, and uses an
empty cache dir (so wheels are downloaded again). Needs a Docker engine (and root for debootstrap
when the base image cannot be pulled). Prints figures only.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import docker
import docker.errors

from harness.images import IMAGE_SPECS, OFFLINE_BASE, ensure_images


def remove_everything(client: docker.DockerClient) -> None:
    """Remove every service image this harness built, then the offline base image."""
    for spec in IMAGE_SPECS:
        for image in client.images.list(filters={"label": f"harness.image={spec.service}"}):
            client.images.remove(image.id, force=True)
    # Forced: an image of someone else's built on it keeps its layers, only the tag goes.
    with contextlib.suppress(docker.errors.ImageNotFound):
        client.images.remove(OFFLINE_BASE, force=True)


def timed_first_build() -> dict[str, str]:
    """Run `ensure_images`, printing each progress line with its elapsed time."""
    started = time.monotonic()

    def progress(line: str) -> None:
        print(f"  [{time.monotonic() - started:6.1f} s] {line}", flush=True)

    tags = ensure_images(progress)
    print(f"first build: {time.monotonic() - started:.1f} s (target ≤ 180 s)")
    return tags


def timed_cached(rounds: int) -> None:
    """Time `ensure_images` when every image is already there."""
    times = []
    for _ in range(rounds):
        started = time.monotonic()
        ensure_images(lambda line: None)
        times.append(time.monotonic() - started)
    print(f"cached ensure_images: median {statistics.median(times):.2f} s, max {max(times):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--from-scratch", action="store_true", help="remove images and caches first"
    )
    parser.add_argument("--cached-rounds", type=int, default=3)
    args = parser.parse_args()
    client = docker.from_env(version="auto")
    if args.from_scratch:
        remove_everything(client)
        # A fresh cache dir: the wheels are downloaded again, as on a fresh machine.
        os.environ["HARNESS_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-images-")
        print(
            f"removed the service images and {OFFLINE_BASE}; cache {os.environ['HARNESS_CACHE_DIR']}"
        )
    tags = timed_first_build()
    timed_cached(args.cached_rounds)
    for service, tag in tags.items():
        print(f"{service}: {tag} {client.images.get(tag).attrs['Size'] / 1e6:.0f} MB")
    base = client.images.get(OFFLINE_BASE) if client.images.list(OFFLINE_BASE) else None
    if base is not None:
        print(f"offline base {OFFLINE_BASE}: {base.attrs['Size'] / 1e6:.0f} MB")
    if args.from_scratch:
        shutil.rmtree(os.environ["HARNESS_CACHE_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
