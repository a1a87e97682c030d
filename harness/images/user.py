"""A user's own image: their folder with a Dockerfile, built offline like ours, tagged by its hash.

The build context is the folder's files (dotfiles, `.venv/`, `__pycache__/` and what its
`.dockerignore` names left out) plus `wheels/`: the wheels of `requirements` downloaded on the
host for the base image's Python and the engine's CPU, and the requirements file itself as
`wheels/requirements.txt`. The build argument BASE names our base image, so `ARG BASE` then
`FROM ${BASE}` builds with no network; nothing is pulled. The tag is
`harness-own/<folder>:<hash>` of the Dockerfile, the files, the wheel names and the base image.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker.errors
import requests
from docker.utils.build import exclude_paths

from harness.images.base import BaseImage, local_image, resolve_base
from harness.images.build import BuildPlan, run_build
from harness.images.engine import ENGINE_HINT, ImageError, engine_arch
from harness.images.ensure import LABEL as IMAGE_LABEL
from harness.images.hashing import TAG_DIGITS, image_inputs_hash
from harness.images.wheels import Wheelhouse, WheelTarget, ensure_wheelhouse

Progress = Callable[[str], None]
OWN_REPOSITORY = "harness-own"
OWN_KIND = "own"  # its `harness.image` (ours: a service name, or "base")
OWN_LABEL = "harness.own-image"  # the repository name under harness-own/
# The folder it was first built from: a later build of that folder removes it. Another folder
# of the same inputs shares the tag (the path is not hashed), and may build it again then.
SOURCE_LABEL = "harness.own-source"
INPUTS_LABEL = "harness.inputs"
SKIPPED_DIRS = frozenset({".venv", "__pycache__"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")
WHEELS = "wheels"
REQUIREMENTS_IN_CONTEXT = f"{WHEELS}/requirements.txt"
_NOT_IN_NAME = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class UserBuild:
    """One folder to build for one service: `owner` names it in messages (instance, region)."""

    folder: Path
    requirements: Path | None
    owner: str
    fallback_name: str = "service"  # the repository name when the folder's is unusable


def repository(build: UserBuild) -> str:
    """`harness-own/<folder name>`, lowercased to what a Docker repository may be."""
    name = _NOT_IN_NAME.sub("-", build.folder.resolve().name.lower()).strip("-")
    fallback = _NOT_IN_NAME.sub("-", build.fallback_name.lower()).strip("-") or "service"
    return f"{OWN_REPOSITORY}/{name or fallback}"


def read_folder(folder: Path) -> dict[str, bytes]:
    """The folder's files as POSIX path → bytes, without the Dockerfile and what is skipped."""
    ignore = folder / ".dockerignore"
    patterns = ignore.read_text().splitlines() if ignore.is_file() else []
    # Ours first, so a big .venv is not even walked; the user's may add more.
    ours = [".*", "**/.*", *(f"**/{d}" for d in sorted(SKIPPED_DIRS))]
    kept = exclude_paths(str(folder), ours + [p for p in patterns if p.strip()])
    files: dict[str, bytes] = {}
    for rel in sorted(kept):
        path = folder / rel
        parts = Path(rel).parts
        if not path.is_file() or rel == "Dockerfile":
            continue
        if SKIPPED_DIRS.intersection(parts) or any(p.startswith(".") for p in parts):
            continue
        if not path.name.endswith(SKIPPED_SUFFIXES):
            files[Path(rel).as_posix()] = path.read_bytes()
    return files


def requirement_lines(path: Path, owner: str) -> tuple[str, ...]:
    """The requirement specifiers of `path` (comments and blank lines dropped)."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise ImageError(f"{owner}: cannot read requirements {path}: {exc.strerror}") from None
    lines = [line.split(" #", 1)[0].strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    options = [line for line in lines if line.startswith("-")]
    if options:
        raise ImageError(
            f"{owner}: requirements {path} has pip options ({options[0]}): a build takes "
            "requirement specifiers only",
            hint="list each package (`name==version`), one a line; wheels come from PyPI once",
        )
    return tuple(lines)


def plan_user_image(
    build: UserBuild, base: BaseImage, target: WheelTarget, progress: Progress
) -> BuildPlan:
    """Gather the folder's inputs (Dockerfile, files, wheels, base) and derive its content tag."""
    dockerfile_path = build.folder / "Dockerfile"
    if not dockerfile_path.is_file():
        raise ImageError(
            f"{build.owner}: build folder {build.folder} has no Dockerfile",
            hint="`build:` names a folder holding a Dockerfile (or give `image:` instead)",
        )
    files = read_folder(build.folder)
    wheels = Wheelhouse(build.folder, ())
    if build.requirements is not None:
        wanted = requirement_lines(build.requirements, build.owner)
        files[REQUIREMENTS_IN_CONTEXT] = build.requirements.read_bytes()
        if wanted:
            wheels = ensure_wheelhouse(wanted, target, progress)
    dockerfile = dockerfile_path.read_bytes()
    digest = image_inputs_hash(dockerfile, files, wheels.names, base.id)
    repo = repository(build)
    return BuildPlan(
        service=repo.removeprefix(f"{OWN_REPOSITORY}/"),
        tag=f"{repo}:{digest[:TAG_DIGITS]}",
        base_ref=base.ref,
        dockerfile_path=str(dockerfile_path),
        dockerfile=dockerfile,
        files=files,
        wheel_dir=wheels.path,
        wheels=wheels.names,
        labels={
            # Overrides the base's `harness.image=base`: our housekeeping, which goes by that
            # label, must take a user's image for neither the base nor one of ours.
            IMAGE_LABEL: OWN_KIND,
            OWN_LABEL: repo.removeprefix(f"{OWN_REPOSITORY}/"),
            SOURCE_LABEL: str(build.folder.resolve()),
            INPUTS_LABEL: digest,
        },
        app_dir="",
        hint=(
            f"fix {dockerfile_path}. The build is offline and pulls nothing: start it with "
            f"`ARG BASE` and `FROM ${{BASE}}` (the harness's base image, now {base.ref}) or an "
            f"image already on the engine, and install packages from /{WHEELS} "
            f"(`pip install --no-index --find-links /{WHEELS} -r /{REQUIREMENTS_IN_CONTEXT}`)"
        ),
    )


def ensure_user_image(
    client: Any, build: UserBuild, progress: Progress, base: BaseImage | None = None
) -> str:
    """The tag of the folder's image, built when no image of these inputs exists yet.

    `base` is our base image when the caller resolved it already (once per run).
    """
    try:
        base = base or resolve_base(client, progress)
        plan = plan_user_image(build, base, WheelTarget(base.python, engine_arch(client)), progress)
        if local_image(client, plan.tag) is not None:
            progress(f"image {plan.tag} of {build.owner} is up to date")
            return plan.tag
        progress(f"building image {plan.tag} from {build.folder} ({build.owner})")
        started = time.monotonic()
        try:
            run_build(client, plan, progress, nocache=False)
        except ImageError as exc:
            raise ImageError(f"{build.owner}: {exc.message}", hint=exc.hint) from None
        size_mb = client.images.get(plan.tag).attrs.get("Size", 0) / 1e6
        progress(f"built {plan.tag} in {time.monotonic() - started:.1f} s ({size_mb:.0f} MB)")
        _remove_stale(client, plan)
        return plan.tag
    except (docker.errors.DockerException, requests.exceptions.ConnectionError) as exc:
        raise ImageError(
            f"{build.owner}: the Docker engine failed while building {build.folder}: {exc}",
            hint=ENGINE_HINT,
        ) from None


def _remove_stale(client: Any, plan: BuildPlan) -> None:
    # Earlier builds of the same folder are dead weight; another folder of the same name keeps
    # its images (the source label differs), and one still used by a container stays.
    label = {"label": f"{SOURCE_LABEL}={plan.labels[SOURCE_LABEL]}"}
    keep = client.images.get(plan.tag).id
    for image in client.images.list(filters=label):
        if image.id != keep:
            for ref in image.tags or [image.id]:
                with contextlib.suppress(docker.errors.APIError):
                    client.images.remove(ref)
