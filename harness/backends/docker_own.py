"""The user's own service on the docker backend: its image, given or built, checked before use."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import docker
from docker.models.images import Image

from harness.backends.base import ServiceSpec
from harness.backends.docker_engine import engine_call
from harness.errors import BackendError, did_you_mean

if TYPE_CHECKING:
    from harness.images.base import BaseImage

Progress = Callable[[str], None]
NO_PULL_HINT = "the harness does not pull: build it or `docker pull` it first"


def owner(spec: ServiceSpec) -> str:
    """How messages name the instance: `inference-us-east-1-0 (region us-east-1)`."""
    return f"{spec.name} (region {spec.region})" if spec.region else spec.name


class OwnImages:
    """The images of a run's own services: each folder built once, each image checked once."""

    def __init__(self, client: docker.DockerClient, progress: Progress) -> None:
        self._client = client
        self.progress = progress
        self._tags: dict[tuple[str, str], str] = {}
        self._base: BaseImage | None = None

    def image(self, spec: ServiceSpec) -> str:
        """The tag `spec` runs: its `image` (must exist on the engine) or the build of its folder."""
        if spec.build is not None:
            key = ("build", f"{Path(spec.build).resolve()}|{spec.requirements or ''}")
        else:
            assert spec.image is not None, f"{spec.name} is not an own service"
            key = ("image", spec.image)
        if key not in self._tags:
            tag = self._build(spec, spec.build) if spec.build is not None else spec.image
            assert tag is not None
            self._check_runnable(spec, tag)
            self._tags[key] = tag
        return self._tags[key]

    def _build(self, spec: ServiceSpec, folder: Path) -> str:
        from harness.images.base import resolve_base  # building is its own step
        from harness.images.user import UserBuild, ensure_user_image

        if self._base is None:
            self._base = resolve_base(self._client, self.progress)
        build = UserBuild(Path(folder), spec.requirements, owner(spec), spec.region or spec.name)
        return ensure_user_image(self._client, build, self.progress, self._base)

    def _check_runnable(self, spec: ServiceSpec, tag: str) -> None:
        from harness.images.engine import ImageError

        with engine_call(f"looking up image {tag}"):
            image = _local(self._client, tag)
        if image is None:
            raise ImageError(
                f"{owner(spec)}: image {tag!r} does not exist on the Docker engine",
                hint=_no_pull_hint(self._client, tag),
            ) from None
        config = image.attrs.get("Config") or {}
        if not config.get("Cmd") and not config.get("Entrypoint"):
            raise ImageError(
                f"{owner(spec)}: image {tag!r} has no CMD or ENTRYPOINT: nothing to run",
                hint="the docker backend runs the image's own CMD (`command:` is the process "
                "backend's): give the Dockerfile a CMD that starts the server",
            )


def _local(client: docker.DockerClient, ref: str) -> Image | None:
    try:
        return client.images.get(ref)
    except docker.errors.ImageNotFound:
        return None


def _no_pull_hint(client: docker.DockerClient, ref: str) -> str:
    try:
        with engine_call("listing images"):
            known = [tag for image in client.images.list() for tag in image.tags]
    except BackendError:
        return NO_PULL_HINT  # the suggestion is a nicety; the error stands without it
    close = did_you_mean(ref, known)
    return f"{NO_PULL_HINT}; {close}" if close else NO_PULL_HINT


def listen_hint(spec: ServiceSpec, port: int) -> str | None:
    """What to check when nothing answered an own service's published port at all."""
    if spec.image is None and spec.build is None:
        return None
    return f"does the server listen on 0.0.0.0:{port} inside its container (`port: {port}`)?"
