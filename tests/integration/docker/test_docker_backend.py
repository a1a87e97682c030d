"""The docker backend with real containers: networks, the proxy, the health gate, teardown."""

from __future__ import annotations

import time
from pathlib import Path

import docker
import pytest
import requests
from docker_support import fetch, leftovers, proxy_spec, status, stub

from harness.backends.docker import DockerBackend
from harness.backends.docker_names import (
    LABEL_KEYS,
    LABEL_OWNER_PID,
    container_name,
    net_holder_name,
)
from harness.errors import StackStartError


def test_regions_proxy_and_core_network(
    backend: DockerBackend, engine: docker.DockerClient, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "hello.txt").write_text("hello from the host")
    started = time.monotonic()
    proxy = backend.start(proxy_spec())
    a = backend.start(
        stub("inst-r1", "r1", mounts={"data": data}, args=("--file", "{mount:data}/hello.txt"))
    )
    b = backend.start(stub("inst-r2", "r2"))
    edge = backend.start(stub("edge", None))  # like the gateway: core network only
    for handle in (proxy, a, b, edge):
        backend.wait_ready(handle, 30)
    print(f"4 containers started and ready in {time.monotonic() - started:.1f}s")

    for index, dst in enumerate((a, b)):
        listen, dial = backend.link_endpoint(proxy, index)
        body = {
            "name": f"edge-{dst.spec.name}",
            "listen": listen,
            "upstream": backend.peer_address(dst),
        }
        assert requests.post(f"{proxy.url}/proxies", json=body, timeout=5).status_code == 201
        assert fetch(edge.url, f"http://{dial}/readyz") == "200"  # edge → proxy → region
    assert requests.get(a.url + "/file", timeout=5).text == "hello from the host"
    # Regions are apart, and the edge reaches instances only through the proxy.
    assert fetch(a.url, f"http://{backend.peer_address(b)}/readyz").startswith("failed")
    assert fetch(edge.url, f"http://{backend.peer_address(a)}/readyz").startswith("failed")

    service = engine.containers.get(container_name(backend.run_id, "netproxy"))
    holder = engine.containers.get(net_holder_name(backend.run_id, "netproxy"))
    for container in (service, holder):
        assert set(LABEL_KEYS) <= set(container.labels)
        assert container.labels[LABEL_OWNER_PID].isdigit()
    assert service.attrs["HostConfig"]["NetworkMode"] == f"container:{holder.id}"
    joined = set(holder.attrs["NetworkSettings"]["Networks"])
    assert joined == {f"harness-{backend.run_id}-{key}" for key in ("r1", "r2", "core")}
    assert holder.ports["8080/tcp"] == [{"HostIp": "127.0.0.1", "HostPort": str(proxy.port)}]


def test_exit_at_start_names_the_instance_with_its_log_tail(backend: DockerBackend) -> None:
    handle = backend.start(stub("broken", "r1", mode="exit"))
    with pytest.raises(StackStartError) as err:
        backend.wait_ready(handle, 30)
    assert "broken (stub, container harness-" in err.value.message
    assert "exited with code 3 while starting" in err.value.message
    assert err.value.hint is not None and "configuration broken, giving up" in err.value.hint
    assert "configuration broken" in handle.log_path.read_text()


def test_ready_timeout_names_the_instance(backend: DockerBackend) -> None:
    handle = backend.start(stub("sleepy", "r2", mode="never-ready"))
    started = time.monotonic()
    with pytest.raises(StackStartError, match=r"sleepy .* did not become ready within 2s") as err:
        backend.wait_ready(handle, 2)
    assert time.monotonic() - started >= 2
    assert err.value.hint is not None and "mode never-ready" in err.value.hint


def test_missing_image_is_a_start_error(backend: DockerBackend) -> None:
    spec = stub("odd", "r1")
    with pytest.raises(StackStartError, match="no image for service 'other'"):
        backend.start(type(spec)("odd", "other", "r1", "stub_service"))


def test_teardown_removes_everything_and_can_run_twice(
    backend: DockerBackend, engine: docker.DockerClient
) -> None:
    handles = [backend.start(stub(f"inst-{i}", "r1")) for i in range(2)]
    backend.wait_ready(handles[0], 30)
    backend.pause(handles[0])  # a frozen container must go too
    assert leftovers(engine, backend.run_id)
    backend.teardown()
    assert leftovers(engine, backend.run_id) == []
    assert "stub starting" in handles[0].log_path.read_text()  # logs saved before removal
    backend.teardown()
    assert status(handles[0].url + "/readyz", timeout=0.5) is None
