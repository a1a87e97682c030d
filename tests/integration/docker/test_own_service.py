"""A user's own service on the docker backend: built from a folder offline, run with its CMD."""

from __future__ import annotations

import time
from pathlib import Path

import docker
import pytest
import requests
from docker_support import fetch, leftovers, proxy_spec, stub
from own_support import DOCKERFILE_WITH_WHEELS, PORT, own_folder, own_spec

from harness.backends.base import RunInfo
from harness.backends.docker import DockerBackend
from harness.backends.docker_names import (
    LABEL_KEYS,
    LABEL_RUN_ID,
    container_name,
    net_holder_name,
)
from harness.images.ensure import LABEL
from harness.images.user import OWN_LABEL, SOURCE_LABEL, UserBuild, ensure_user_image


@pytest.fixture(scope="module")
def built(engine: docker.DockerClient, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The own image built from a fresh folder (same inputs every session: one tag)."""
    folder = own_folder(tmp_path_factory.mktemp("own"))
    lines: list[str] = []
    started = time.monotonic()
    tag = ensure_user_image(engine, UserBuild(folder, None, "inference-r1-0 (r1)"), lines.append)
    size = engine.images.get(tag).attrs["Size"] / 1e6
    print(f"own image {tag}: {size:.0f} MB, ready in {time.monotonic() - started:.1f} s")
    print("\n".join(lines))
    return tag


def test_built_from_a_folder_and_reused_without_a_rebuild(
    engine: docker.DockerClient, tmp_path: Path
) -> None:
    folder = own_folder(tmp_path)
    serve = folder / "serve.py"
    serve.write_text(serve.read_text() + f"\n# {tmp_path}\n")  # this session's own inputs
    build = UserBuild(folder, None, "inference-r1-0 (r1)")
    first: list[str] = []
    started = time.monotonic()
    tag = ensure_user_image(engine, build, first.append)
    first_s = time.monotonic() - started
    image = engine.images.get(tag)
    assert tag.startswith("harness-own/own-server:")
    assert image.labels[OWN_LABEL] == "own-server"
    assert image.labels[LABEL] == "own"  # not the base's "base": housekeeping tells them apart
    assert image.labels[SOURCE_LABEL] == str(folder.resolve())
    assert any(line.startswith("building") for line in first), first

    (folder / ".env").write_text("SECRET=2\n")  # dotfiles and caches are not inputs
    (folder / "__pycache__" / "other.pyc").write_bytes(b"\1")
    again: list[str] = []
    started = time.monotonic()
    assert ensure_user_image(engine, build, again.append) == tag
    print(f"first ensure {first_s:.2f} s, second {time.monotonic() - started:.2f} s")
    assert engine.images.get(tag).id == image.id
    assert not any(line.startswith("building") for line in again), again
    assert any("up to date" in line for line in again), again

    serve.write_text(serve.read_text() + "# changed\n")
    changed: list[str] = []
    new_tag = ensure_user_image(engine, build, changed.append)
    try:
        assert new_tag != tag and new_tag.startswith("harness-own/own-server:")
        assert any(line.startswith("building") for line in changed), changed
        steps = [line for line in changed if line.startswith("  own-server: step ")]
        assert any(line.endswith("COPY serve.py /srv/serve.py") for line in steps), changed
        print("\n".join(changed))
        # The folder's previous image is gone (no container uses it).
        with pytest.raises(docker.errors.ImageNotFound):
            engine.images.get(tag)
    finally:
        engine.images.remove(new_tag)


def test_own_image_runs_its_cmd_on_its_port_behind_the_proxy(
    backend: DockerBackend, engine: docker.DockerClient, built: str
) -> None:
    proxy = backend.start(proxy_spec())
    own = backend.start(own_spec(image=built))
    edge = backend.start(stub("edge", None))  # like the gateway: on the core network only
    for handle in (proxy, own, edge):
        backend.wait_ready(handle, 30)

    answer = requests.post(f"{own.url}/v2/models/m/infer", json={"inputs": []}, timeout=5).json()
    assert answer["path"] == "/v2/models/m/infer"
    env = answer["env"]
    assert env["SERVE_PORT"] == str(PORT)  # {port}: the port inside the container
    assert env["GRPC_PORT"].isdigit() and env["GRPC_PORT"] != str(PORT)  # {port:grpc}
    assert env["WHO"] == "inference-r1-0@r1"
    assert env["HARNESS_RUN_ID"] == backend.run_id

    assert backend.peer_address(own) == f"inference-r1-0:{PORT}"
    listen, dial = backend.link_endpoint(proxy, 0)
    body = {"name": "edge-own", "listen": listen, "upstream": backend.peer_address(own)}
    assert requests.post(f"{proxy.url}/proxies", json=body, timeout=5).status_code == 201
    assert fetch(edge.url, f"http://{dial}/health") == "200"  # edge → proxy → own:8500

    service = engine.containers.get(container_name(backend.run_id, "inference-r1-0"))
    holder = engine.containers.get(net_holder_name(backend.run_id, "inference-r1-0"))
    assert service.image.tags == [built]
    assert service.attrs["Config"]["Cmd"] == ["python3", "/srv/serve.py"]  # its own CMD
    assert holder.image.tags != [built]  # the holder sleeps in one of our images
    for container in (service, holder):
        assert set(LABEL_KEYS) <= set(container.labels)
        assert container.labels[LABEL_RUN_ID] == backend.run_id

    backend.kill(own)  # a fault: the same container comes back on the same port
    backend.restart(own)
    backend.wait_ready(own, 30)
    again = requests.post(f"{own.url}/x", timeout=5).json()["env"]
    assert again["GRPC_PORT"] == env["GRPC_PORT"]


def test_build_during_the_backend_start_once_per_folder(
    run: RunInfo, image: str, engine: docker.DockerClient, tmp_path: Path
) -> None:
    folder = own_folder(tmp_path, DOCKERFILE_WITH_WHEELS, name="with-six")
    (folder / "requirements.txt").write_text("six==1.17.0  # a small pure wheel\n")
    backend = DockerBackend(run, images={"stub": image, "netproxy": image})
    lines: list[str] = []
    backend.prepare(lines.append)
    try:
        specs = [
            own_spec(f"inference-{r}-0", r, build=folder, requirements=folder / "requirements.txt")
            for r in ("r1", "r2")
        ]
        started = time.monotonic()
        handles = [backend.start(spec) for spec in specs]
        for handle in handles:
            backend.wait_ready(handle, 30)
        print(f"two own instances built and ready in {time.monotonic() - started:.1f} s")
        print("\n".join(lines))
        for handle in handles:
            answer = requests.post(f"{handle.url}/invocations", timeout=5).json()
            assert answer["six"] == "1.17.0"  # installed offline from the wheels/ folder
        building = [line for line in lines if "with-six" in line and "building" in line]
        ready = [line for line in lines if "with-six" in line and "up to date" in line]
        assert len(building) + len(ready) == 1, lines  # one build (or reuse) for both regions
        tag = engine.containers.get(container_name(run.run_id, "inference-r2-0")).image.tags[0]
        print(f"{tag}: {engine.images.get(tag).attrs['Size'] / 1e6:.0f} MB")
    finally:
        backend.teardown()
    assert leftovers(engine, run.run_id) == []
