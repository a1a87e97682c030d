"""Broken own services on the docker backend: one error naming the instance, its cause and log.

Each test ends with nothing of the run left (the `backend` fixture's teardown checks the
labels), and the image errors leave nothing even before the teardown.
"""

from __future__ import annotations

from pathlib import Path

import docker
import pytest
from docker_support import leftovers
from own_support import own_folder, own_spec

from harness.backends.docker import DockerBackend
from harness.backends.docker_names import label_filter
from harness.errors import ExitCode, HarnessError, StackStartError
from harness.images import ImageError
from harness.images.user import UserBuild, ensure_user_image

BROKEN_DOCKERFILE = """\
ARG BASE
FROM ${BASE}
COPY serve.py /srv/serve.py
RUN echo "compiling the model server" && python3 -c "import mlserver"
CMD ["python3", "/srv/serve.py"]
"""


@pytest.fixture(scope="module")
def built(engine: docker.DockerClient, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The own test image (its MODE env var makes it exit, or never become ready)."""
    folder = own_folder(tmp_path_factory.mktemp("own"))
    return ensure_user_image(engine, UserBuild(folder, None, "test"), print)


def containers(engine: docker.DockerClient, run_id: str) -> list[str]:
    """Containers of the run, whatever their state."""
    return [c.name for c in engine.containers.list(all=True, filters=label_filter(run_id))]


def check_error(err: HarnessError, *parts: str) -> str:
    """The rendered error names the instance and its region, and every one of `parts`."""
    text = err.render()
    print(text)
    assert err.exit_code == ExitCode.BAD_INPUT  # `harness run` exits 2
    for part in ("inference-r1-0", "r1", *parts):
        assert part in text, f"{part!r} not in:\n{text}"
    return text


def test_image_not_on_the_engine_is_never_pulled(
    backend: DockerBackend, engine: docker.DockerClient, built: str
) -> None:
    typo = built.replace("own-server", "own-sever")
    with pytest.raises(ImageError) as err:
        backend.start(own_spec(image=typo))
    check_error(err.value, typo, "does not exist", "does not pull", f"did you mean {built!r}")
    assert containers(engine, backend.run_id) == []  # checked before anything was created


def test_build_that_fails_names_its_step_and_log(
    backend: DockerBackend, engine: docker.DockerClient, tmp_path: Path
) -> None:
    folder = own_folder(tmp_path, BROKEN_DOCKERFILE)
    with pytest.raises(ImageError) as err:
        backend.start(own_spec(build=folder))
    text = check_error(
        err.value,
        "failed to build at step 4/",
        'RUN echo "compiling the model server"',
        "| compiling the model server",  # the build log's tail
        "  | Traceback (most recent call last):",  # uncoloured (the engine paints stderr red)
        "No module named 'mlserver'",
        f"fix {folder / 'Dockerfile'}",
        "FROM ${BASE}",
    )
    assert "harness images build --force" not in text  # that is for our images
    assert containers(engine, backend.run_id) == []
    dangling = engine.images.list(filters={"dangling": True, "label": "harness.own-image"})
    assert dangling == []


def test_folder_without_a_dockerfile(backend: DockerBackend, tmp_path: Path) -> None:
    with pytest.raises(ImageError) as err:
        backend.start(own_spec(build=tmp_path))
    check_error(err.value, f"build folder {tmp_path} has no Dockerfile")


def test_container_that_exits_at_once(backend: DockerBackend, built: str) -> None:
    handle = backend.start(own_spec(image=built, mode="exit"))
    with pytest.raises(StackStartError) as err:
        backend.wait_ready(handle, 30)
    check_error(err.value, "exited with code 3", "fatal: no model file found", built)


@pytest.mark.parametrize(
    ("env", "seen"),
    [
        ({"MODE": "never"}, "(GET /health: last HTTP 503, expected HTTP 200)"),
        # Listening on the container's loopback only: the published port never reaches it.
        ({"SERVE_HOST": "127.0.0.1"}, "does the server listen on 0.0.0.0:8500"),
    ],
)
def test_never_ready_within_the_health_timeout(
    backend: DockerBackend, built: str, env: dict[str, str], seen: str
) -> None:
    handle = backend.start(own_spec(image=built, env=env, ready_timeout_s=2))
    with pytest.raises(StackStartError) as err:
        backend.wait_ready(handle, 600)  # the service's own timeout wins over the run's
    check_error(err.value, "did not become ready within 2s", seen, "own server: mode")


def test_health_path_answering_404_fails_at_once(backend: DockerBackend, built: str) -> None:
    handle = backend.start(own_spec(image=built, ready_path="/v2/health/ready"))
    with pytest.raises(StackStartError) as err:
        backend.wait_ready(handle, 600)  # not the timeout: it fails once 404 persists (2 s)
    check_error(
        err.value,
        "health path /v2/health/ready answers HTTP 404, expected 200",
        "does the server speak open-inference-v2?",
    )


def test_nothing_left_after_a_failed_start(
    backend: DockerBackend, engine: docker.DockerClient, built: str
) -> None:
    handle = backend.start(own_spec(image=built, mode="exit"))
    with pytest.raises(StackStartError):
        backend.wait_ready(handle, 30)
    assert len(containers(engine, backend.run_id)) == 2  # holder + service, until teardown
    backend.teardown()
    assert leftovers(engine, backend.run_id) == []
    assert "fatal: no model file found" in handle.log_path.read_text()  # the log is kept
