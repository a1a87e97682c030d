"""Fixtures for the docker backend tests: the engine, a test image, a backend per test."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from harness import settings
from harness.backends.base import RunInfo
from harness.backends.docker import DockerBackend
from harness.backends.docker_engine import connect
from harness.errors import BackendError

sys.path.insert(0, str(Path(__file__).parent))

from docker_support import build_test_image, leftovers

REGIONS = ("r1", "r2")
BASE_CANDIDATES = ("harness-base:dev", "harness-base:bookworm-py311")


@pytest.fixture(scope="session")
def engine() -> Iterator[docker.DockerClient]:
    """A client of a Docker engine that answers; under CI=true a missing engine fails the test."""
    try:
        client = connect()
    except BackendError as exc:
        if settings.is_ci():
            pytest.fail(f"CI=true and {exc.message}: the docker backend tests need an engine")
        pytest.skip(f"{exc.message}: start an engine (`make engine`) to run the docker tests")
    yield client
    client.close()


@pytest.fixture(scope="session")
def image(engine: docker.DockerClient, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The stub + netproxy test image (layers cached by the engine between sessions)."""
    return str(build_test_image(engine, tmp_path_factory.mktemp("image"), base_image(engine)))


def base_image(client: docker.DockerClient) -> str:
    """A local Python 3.11 base: the dev one, the offline one, or whatever the images step makes."""
    for ref in BASE_CANDIDATES:
        try:
            client.images.get(ref)
            return ref
        except docker.errors.ImageNotFound:
            continue
    from harness.images.base import resolve_base  # builds the offline base when nothing else

    return str(resolve_base(client, print).ref)


@pytest.fixture
def run(tmp_path: Path) -> RunInfo:
    """A fresh run id per test, two regions."""
    return RunInfo(f"t{secrets.token_hex(4)}", tmp_path / "run", "docker-it", REGIONS)


@pytest.fixture
def backend(run: RunInfo, image: str, engine: docker.DockerClient) -> Iterator[DockerBackend]:
    """A prepared backend whose every service runs the test image; torn down and checked empty."""
    backend = DockerBackend(run, images={"stub": image, "netproxy": image})
    backend.prepare(lambda _msg: None)
    yield backend
    backend.teardown()
    assert leftovers(engine, run.run_id) == []
