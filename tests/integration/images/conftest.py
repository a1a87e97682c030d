"""Fixtures for the image tests: a real Docker engine (missing: skip, or fail under CI=true)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness import settings
from harness.errors import HarnessError


def engine_or_skip() -> Any:
    """A client of the local engine; without one, skip the test (fail it under CI=true)."""
    from harness.images import connect

    try:
        return connect()
    except HarnessError as exc:
        reason = f"no Docker engine: {exc.message} (run scripts/ensure-docker.sh as root)"
        if settings.is_ci():
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def docker_client() -> Iterator[Any]:
    """The real engine's `docker.DockerClient`."""
    client = engine_or_skip()
    yield client
    client.close()


@pytest.fixture(scope="session")
def image_tags(docker_client: Any) -> dict[str, str]:
    """service → tag, after `ensure_images` built (or reused) every image."""
    from harness.images import ensure_images

    return ensure_images(lambda line: print(line, flush=True))


@pytest.fixture
def run_container(docker_client: Any) -> Iterator[Any]:
    """Run a command in an image to completion, offline; returns (exit code, output)."""
    started: list[Any] = []

    def run(image: str, command: list[str], timeout_s: float = 60) -> tuple[int, str]:
        container = docker_client.containers.create(
            image, command, labels={"harness.test": "1"}, network_mode="none"
        )
        started.append(container)
        container.start()
        status = container.wait(timeout=timeout_s)
        return int(status["StatusCode"]), container.logs().decode(errors="replace")

    yield run
    for container in started:
        container.remove(force=True)
