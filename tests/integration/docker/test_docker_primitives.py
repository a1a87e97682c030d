"""Fault primitives on real containers: kill/restart, stop, pause/resume, disconnect/reconnect."""

from __future__ import annotations

import signal
import time

import docker
from docker_support import fetch, status, stub

from harness.backends.docker import DockerBackend
from harness.backends.docker_names import container_name, net_holder_name


def test_sigkill_refuses_at_once_then_restart_is_ready_on_the_same_port(
    backend: DockerBackend, engine: docker.DockerClient
) -> None:
    handle, peer = backend.start(stub("victim", "r1")), backend.start(stub("peer", "r1"))
    for h in (handle, peer):
        backend.wait_ready(h, 30)
    port = handle.port
    backend.kill(handle, signal.SIGKILL)
    started = time.monotonic()
    assert fetch(peer.url, "http://victim:8080/readyz") == "failed: ClientConnectorError"
    assert time.monotonic() - started < 1  # refused at once, as a killed process would
    container = engine.containers.get(container_name(backend.run_id, "victim"))
    assert container.status == "exited" and container.attrs["State"]["ExitCode"] == 137
    assert not handle.running
    started = time.monotonic()
    backend.restart(handle)
    backend.wait_ready(handle, 30)
    print(f"restarted and ready in {time.monotonic() - started:.1f}s")
    holder = engine.containers.get(net_holder_name(backend.run_id, "victim"))
    assert holder.ports["8080/tcp"][0]["HostPort"] == str(handle.port) == str(port)
    assert status(handle.url + "/readyz") == 200
    assert handle.log_path.read_text().count("stub starting") == 1  # saved at the kill
    backend.stop(handle, grace_s=1)
    assert handle.log_path.read_text().count("stub starting") == 2  # both starts kept


def test_sigterm_waits_for_exit_and_stop_applies_grace(backend: DockerBackend) -> None:
    first, second = backend.start(stub("t1", "r1")), backend.start(stub("t2", "r2"))
    backend.wait_ready(first, 30)
    backend.wait_ready(second, 30)
    backend.kill(first, signal.SIGTERM)
    assert not first.running
    backend.pause(second)
    backend.stop(second, grace_s=1)  # stopping a paused container works
    assert not second.running and not second.paused
    assert status(second.url + "/readyz", timeout=0.5) is None


def test_pause_and_resume(backend: DockerBackend, engine: docker.DockerClient) -> None:
    handle = backend.start(stub("frozen", "r2"))
    backend.wait_ready(handle, 30)
    backend.pause(handle)
    assert engine.containers.get(container_name(backend.run_id, "frozen")).status == "paused"
    assert status(handle.url + "/readyz", timeout=0.5) is None  # accepted, never answered
    backend.resume(handle)
    assert status(handle.url + "/readyz") == 200


def test_disconnect_and_reconnect(backend: DockerBackend) -> None:
    target, peer = backend.start(stub("target", "r1")), backend.start(stub("peer", "r1"))
    for handle in (target, peer):
        backend.wait_ready(handle, 30)
    url = f"http://{backend.peer_address(target)}/readyz"
    assert fetch(peer.url, url) == "200"
    backend.disconnect(target)
    assert fetch(peer.url, url).startswith("failed")
    backend.reconnect(target)
    assert fetch(peer.url, url) == "200"
    backend.wait_ready(target, 10)  # published again, on the port re-read after reconnecting
