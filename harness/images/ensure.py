"""Make sure every service image exists: plan each one from its inputs, build what is missing."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

import docker.errors
import requests

from harness.images import specs
from harness.images.base import BaseImage, local_image, resolve_base
from harness.images.build import BuildPlan, run_build
from harness.images.engine import ENGINE_HINT, ImageError, connect, engine_arch
from harness.images.hashing import image_inputs_hash, image_repository, image_tag
from harness.images.specs import IMAGE_SPECS, ImageSpec
from harness.images.wheels import WheelTarget, ensure_wheelhouse

Progress = Callable[[str], None]
LABEL = "harness.image"
INPUTS_LABEL = "harness.inputs"


def ensure_images(progress: Progress, *, force: bool = False) -> dict[str, str]:
    """Build every service image whose inputs changed (all of them with `force`); service → tag."""
    client = connect()
    try:
        base = resolve_base(client, progress)
        target = WheelTarget(base.python, engine_arch(client))
        return {
            spec.service: _ensure_one(client, spec, base, target, progress, force)
            for spec in IMAGE_SPECS
        }
    except (docker.errors.DockerException, requests.exceptions.ConnectionError) as exc:
        # The engine stopped answering or refused a call midway: not a bug of ours.
        raise ImageError(
            f"the Docker engine failed while preparing images: {exc}", hint=ENGINE_HINT
        ) from None
    finally:
        client.close()


def build_images_command(progress: Progress, force: bool = False) -> dict[str, str]:
    """Build the images ahead of time (`harness images build`) and list each tag with its size."""
    started = time.monotonic()
    tags = ensure_images(progress, force=force)
    client = connect()
    try:
        for service, tag in tags.items():
            size_mb = client.images.get(tag).attrs.get("Size", 0) / 1e6
            progress(f"{service}: {tag} ({size_mb:.0f} MB)")
    finally:
        client.close()
    progress(f"images ready in {time.monotonic() - started:.1f} s")
    return tags


def plan_image(
    spec: ImageSpec, base: BaseImage, target: WheelTarget, progress: Progress
) -> BuildPlan:
    """Gather an image's inputs (sources, wheels, base) and derive its content tag."""
    dockerfile = specs.render_dockerfile(spec)
    files = specs.read_sources(spec, specs.source_root())
    wheels = ensure_wheelhouse(specs.requirements(spec), target, progress)
    digest = image_inputs_hash(dockerfile, files, wheels.names, base.id)
    return BuildPlan(
        service=spec.service,
        tag=image_tag(spec.service, digest),
        base_ref=base.ref,
        dockerfile_path=specs.template_path(),
        dockerfile=dockerfile,
        files=files,
        wheel_dir=wheels.path,
        wheels=wheels.names,
        labels={LABEL: spec.service, INPUTS_LABEL: digest},
    )


def _ensure_one(
    client: Any,
    spec: ImageSpec,
    base: BaseImage,
    target: WheelTarget,
    progress: Progress,
    force: bool,
) -> str:
    plan = plan_image(spec, base, target, progress)
    previous = local_image(client, plan.tag)
    if previous is not None and not force:
        return plan.tag
    first = not client.images.list(filters={"label": f"{LABEL}={spec.service}"})
    why = "forced" if force else "inputs changed"
    progress(
        f"building image {spec.service} ({f'first time: ~{spec.first_build_s} s' if first else why})"
    )
    started = time.monotonic()
    run_build(client, plan, progress, nocache=force)
    progress(f"built {plan.tag} in {time.monotonic() - started:.0f} s")
    _remove_stale(client, spec.service, plan.tag, previous)
    return plan.tag


def _remove_stale(client: Any, service: str, keep: str, previous: Any | None) -> None:
    # Older tags of the service, and untagged images left by forced builds, are dead weight;
    # one still used by a container stays: the engine refuses to remove it.
    label = {"label": f"{LABEL}={service}"}
    stale = [image.id for image in client.images.list(filters={**label, "dangling": True})]
    if previous is not None and client.images.get(keep).id != previous.id:
        stale.append(previous.id)
    for image in client.images.list(image_repository(service), filters=label):
        stale += [tag for tag in image.tags if tag != keep]
    for ref in dict.fromkeys(stale):
        with contextlib.suppress(docker.errors.APIError):
            client.images.remove(ref)
