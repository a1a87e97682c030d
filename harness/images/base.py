"""The base image: the configured one if the engine has it or can pull it, else the offline base."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import docker.errors
from docker.utils import parse_repository_tag

from harness import settings
from harness.images.engine import ImageError
from harness.images.offline import OFFLINE_BASE, build_offline_base

PYTHON_PROBE = "import sys; print('%d.%d' % sys.version_info[:2])"


@dataclass(frozen=True)
class BaseImage:
    """The image every service image starts from."""

    ref: str
    id: str
    python: str  # "3.11": the wheels are downloaded for this version


def resolve_base(client: Any, progress: Callable[[str], None]) -> BaseImage:
    """Find the base image: local, else the offline base built earlier, else pulled, else built.

    A pull is tried only when neither the configured base nor the offline base is present, so a
    machine without a registry asks for it once, not on every run.
    """
    wanted = settings.base_image()
    image = local_image(client, wanted)
    if image is not None:
        return BaseImage(wanted, image.id, python_version(client, image))
    offline = local_image(client, OFFLINE_BASE)
    if offline is not None:
        progress(
            f"base image {wanted} not present: using {OFFLINE_BASE}, built earlier "
            f"(remove it to try pulling {wanted} again)"
        )
        return BaseImage(OFFLINE_BASE, offline.id, python_version(client, offline))
    reason = "not present"
    if wanted != OFFLINE_BASE:
        progress(f"pulling base image {wanted}")
        reason = pull(client, wanted, settings.pull_timeout_s()) or "pulled, yet not found"
        image = local_image(client, wanted)
        if image is not None:
            return BaseImage(wanted, image.id, python_version(client, image))
    progress(
        f"base image {wanted} cannot be pulled ({reason}): building the offline base "
        f"image {OFFLINE_BASE} with debootstrap (once, ~60 s)"
    )
    image = build_offline_base(client, progress)
    return BaseImage(OFFLINE_BASE, image.id, python_version(client, image))


def local_image(client: Any, ref: str) -> Any | None:
    """The engine's image `ref`, or None when it does not have it."""
    try:
        return client.images.get(ref)
    except docker.errors.ImageNotFound:
        return None


def pull(client: Any, ref: str, idle_timeout_s: float) -> str | None:
    """Pull `ref`; give up once it makes no progress for `idle_timeout_s`. Return why it failed."""
    repository, tag = parse_repository_tag(ref)
    state: dict[str, Any] = {"last": time.monotonic(), "error": None}

    def work() -> None:
        try:
            for message in client.api.pull(
                repository, tag=tag or "latest", stream=True, decode=True
            ):
                state["last"] = time.monotonic()
                if "error" in message:
                    state["error"] = str(message["error"])
                    return
        except docker.errors.APIError as exc:
            state["error"] = str(exc.explanation or exc)

    # The SDK's pull has no timeout at all; a daemon thread lets us stop waiting for it.
    thread = threading.Thread(target=work, name=f"pull {ref}", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(0.2)
        if time.monotonic() - state["last"] > idle_timeout_s:
            return f"no progress for {idle_timeout_s:g} s"
    error: str | None = state["error"]
    return _first_line(error) if error else None


def python_version(client: Any, image: Any) -> str:
    """The `major.minor` of the image's python3: from a label, the official images' env, or a run."""
    config = image.attrs.get("Config") or {}
    label = (config.get("Labels") or {}).get("harness.python")
    if label:
        return str(label)
    for item in config.get("Env") or []:
        if item.startswith("PYTHON_VERSION="):
            return ".".join(item.split("=", 1)[1].split(".")[:2])
    try:
        out = client.containers.run(
            image.id,
            ["python3", "-c", PYTHON_PROBE],
            remove=True,
            network_mode="none",
            labels={"harness.image-probe": "1"},
        )
    except docker.errors.DockerException as exc:
        raise ImageError(
            f"the base image {image.tags or image.id} has no working python3 ({_first_line(str(exc))})",
            hint="set HARNESS_BASE_IMAGE to an image with python3 and its venv module",
        ) from None
    return str(out.decode().strip())


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0][:200] if lines else text
