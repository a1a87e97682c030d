"""Backend `docker`: every instance is a container on its region's bridge network."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import docker
from docker.models.containers import Container

from harness.backends import docker_names as names
from harness.backends.base import (
    BACKENDS,
    Backend,
    InstanceHandle,
    ReadyWatch,
    RemoveOwner,
    RunInfo,
    ServiceSpec,
    Sweep,
    log_tail,
)
from harness.backends.docker_engine import (
    ENGINE_ERRORS,
    connect,
    engine_answers,
    engine_call,
    host_port,
    save_logs,
)
from harness.backends.docker_networks import RunNetworks
from harness.backends.docker_own import OwnImages, listen_hint
from harness.backends.docker_pods import create_net_holder, create_service, create_sidecars
from harness.backends.docker_sweep import remove_objects, sweep_labelled
from harness.errors import BackendError, StackStartError

EXIT_WAIT_S = {signal.SIGKILL: 30.0, signal.SIGTERM: 10.0}
POLL_S = 0.1


@BACKENDS.register("docker")
class DockerBackend(Backend):
    """Containers through the Docker SDK; `images` maps a service (spec.service) to its image tag.

    One bridge network per region plus `core`, the inter-region (edge) network. An instance with
    a region joins its region network only; the gateway joins the core. The network-fault proxy
    is one container on every region network and on the core: the one place that reaches every
    link, so every link really runs through it (the gateway dials `netproxy:<10000+i>` on the
    core, the proxy dials `<instance>:8080` on the region network), one Toxiproxy API serves all
    links as on the process backend, and cutting a region network cuts exactly that region.
    Each instance is a service container inside the network namespace of a sleeping holder
    container (see docker_pods). The harness reaches instances only through port 8080 published
    on 127.0.0.1 (host port chosen by the engine; kept across restarts, re-read on reconnect).

    A user's own service (spec.image, or spec.build: a folder built once per run, see
    harness.images.user) runs its image's own CMD on its own `port`; its holder and sidecars
    run from our images, since a user's image may have neither `sleep` nor our modules.
    """

    name = "docker"
    auto_rank = 10  # closest to production: preferred whenever an engine answers

    @classmethod
    def available(cls) -> tuple[bool, str]:
        """Whether a Docker engine answers."""
        if engine_answers():
            return True, "a Docker engine answers"
        return False, "no Docker engine answers"

    @classmethod
    def sweep_leftovers(cls, run_id: str | None, remove_owner: RemoveOwner) -> Sweep:
        """Remove labelled containers, networks and volumes; unchecked when no engine answers."""
        try:
            client = connect()
        except BackendError:
            return Sweep(skipped="no Docker engine answers")  # nothing of ours can run then
        try:
            return sweep_labelled(
                client, run_id, lambda labels: remove_owner(names.owner_pid(labels))
            )
        finally:
            client.close()

    def __init__(self, run: RunInfo, images: dict[str, str] | None = None) -> None:
        super().__init__(run)
        self.images = dict(images) if images is not None else None
        self.owner_pid = os.getpid()
        self._client: docker.DockerClient | None = None
        self._networks: RunNetworks | None = None
        self._containers: dict[str, Container] = {}  # the services, by instance name
        self._holders: dict[str, Container] = {}  # their network namespace holders
        self._sidecars: list[Container] = []  # helpers in the instances' namespaces
        self._progress: Callable[[str], None] = lambda _msg: None
        self._own: OwnImages | None = None
        (run.run_dir / "logs").mkdir(parents=True, exist_ok=True)

    def prepare(self, progress: Callable[[str], None]) -> None:
        """Check the engine answers, get the images, create the region and core networks.

        Own services' images are checked (or built, with `progress`) at their first start.
        """
        self._progress = progress
        self._engine()
        if self.images is None:
            from harness.images import ensure_images  # lazily: building images is its own step

            self.images = ensure_images(progress)
        progress(f"creating networks for {', '.join(self.run.regions) or 'no region'} + core")
        for key in [*self.run.regions, names.CORE]:
            self._nets().ensure(key)

    def _engine(self) -> docker.DockerClient:
        if self._client is None:
            self._client = connect()
            self._networks = RunNetworks(self._client, self.run, self.owner_pid)
        return self._client

    def _nets(self) -> RunNetworks:
        self._engine()
        assert self._networks is not None
        return self._networks

    def _ours(self) -> dict[str, str]:
        if self.images is None:
            self.prepare(self._progress)
        assert self.images is not None
        return self.images

    def _images(self, spec: ServiceSpec) -> tuple[str, str, str]:
        """(service image, holder image, sidecar image) of `spec`."""
        if not names.is_own(spec):
            image = self._image(spec)
            return image, image, image
        if self._own is None:
            self._own = OwnImages(self._engine(), self._progress)
        image = self._own.image(spec)  # before anything is created: a bad image leaves nothing
        ours = self._ours()
        if not ours:
            raise StackStartError(f"{spec.name}: none of our images to hold its network")
        helper = ours.get("inference") or next(iter(ours.values()))
        return image, helper, helper

    def _image(self, spec: ServiceSpec) -> str:
        self._ours()
        assert self.images is not None
        if spec.service not in self.images:
            known = ", ".join(sorted(self.images)) or "none"
            raise StackStartError(
                f"{spec.name}: no image for service {spec.service!r} (have: {known})"
            )
        return self.images[spec.service]

    def start(self, spec: ServiceSpec) -> InstanceHandle:
        """Start the namespace holder on its networks (alias = instance name), then the service."""
        (image, holder_image, sidecar_image), client = self._images(spec), self._engine()
        nets = [self._nets().ensure(key) for key in names.network_keys(spec, self.run.regions)]
        handle = InstanceHandle(spec, 0, self.run_dir / "logs" / f"{spec.name}.log")
        holder = create_net_holder(client, self.run, self.owner_pid, spec, holder_image, nets)
        self._holders[spec.name] = holder
        self._start_container(handle, holder)
        self._refresh_port(handle)
        for car in create_sidecars(client, self.run, self.owner_pid, spec, sidecar_image, holder):
            self._sidecars.append(car)
            self._start_container(handle, car)
        service = create_service(client, self.run, self.owner_pid, spec, image, holder)
        self._containers[spec.name] = service
        self._start_container(handle, service)
        return handle

    def _start_container(self, handle: InstanceHandle, container: Container) -> None:
        with engine_call(f"starting {container.name}"):
            try:
                container.start()
            except docker.errors.APIError as exc:  # refused (port taken, bad mount): name it
                self._fail(handle, f"could not start {container.name}: {exc.explanation or exc}")
        handle.running, handle.paused = True, False

    def _refresh_port(self, handle: InstanceHandle) -> None:
        holder = self._holders[handle.spec.name]
        with engine_call(f"reading the published port of {holder.name}"):
            port = host_port(holder, names.port_key(handle.spec))
        if port is not None:
            handle.port = port

    def wait_ready(self, handle: InstanceHandle, timeout_s: float) -> None:
        """Poll 127.0.0.1:<host port><ready_path> until it answers `ready_status`.

        `spec.ready_timeout_s`, when set, replaces `timeout_s`. Fails fast when the container
        exits or the path keeps answering 404 (a server that is up says the path is wrong).
        """
        spec = handle.spec
        timeout_s = spec.ready_timeout_s if spec.ready_timeout_s is not None else timeout_s
        deadline = time.monotonic() + timeout_s
        container = self._containers[spec.name]
        watch = ReadyWatch(spec)
        while time.monotonic() < deadline:
            with engine_call(f"inspecting {container.name}"):
                container.reload()
            if container.status not in ("running", "created", "restarting"):
                code = container.attrs.get("State", {}).get("ExitCode")
                self._fail(handle, f"exited with code {code} while starting")
            if handle.port and watch.ready(handle.url):
                return
            if watch.failure:
                self._fail(handle, watch.failure)
            time.sleep(POLL_S)
        hint = listen_hint(spec, names.container_port(spec)) if watch.status is None else None
        self._fail(handle, watch.timed_out(timeout_s), hint)

    def _fail(self, handle: InstanceHandle, what: str, hint: str | None = None) -> NoReturn:
        container = self._containers.get(handle.spec.name)
        if container is not None:
            with contextlib.suppress(*ENGINE_ERRORS, OSError):  # the error matters; the tail helps
                save_logs(container, handle.log_path)
        tail = log_tail(handle.log_path)
        logs = f"last lines of {handle.log_path}:\n{tail}" if tail else f"see {handle.log_path}"
        spec = handle.spec
        cname = names.container_name(self.run_id, spec.name)
        where = f"container {cname}" + (f", port {handle.port}" if handle.port else "")
        if names.is_own(spec) and container is not None:  # the user's: say which image it runs
            image = (container.attrs.get("Config") or {}).get("Image", "?")
            where = f"region {spec.region}, image {image}, {where}"
        raise StackStartError(
            f"{spec.name} ({spec.service}, {where}) {what}",
            hint=f"{hint}\n{logs}" if hint else logs,
        )

    def restart(self, handle: InstanceHandle) -> None:
        """Start the same service container again, in its namespace: same alias, same port."""
        self._start_container(handle, self._containers[handle.spec.name])

    def stop(self, handle: InstanceHandle, grace_s: float = 5.0) -> bool:
        """SIGTERM, then SIGKILL after the grace (to the sub-second, unlike `docker stop`)."""
        container = self._containers[handle.spec.name]
        forced = False
        with engine_call(f"stopping {container.name}"):
            container.reload()
            if container.status == "paused":
                container.unpause()
            if container.status in ("running", "paused"):
                container.kill(signal="SIGTERM")
                try:
                    self._wait_exited(container, grace_s)
                except BackendError:
                    forced = True
                    container.kill(signal="SIGKILL")
                    self._wait_exited(container, EXIT_WAIT_S[signal.SIGKILL])
            save_logs(container, handle.log_path)
        handle.running = handle.paused = False
        return forced

    def kill(self, handle: InstanceHandle, sig: signal.Signals = signal.SIGKILL) -> None:
        """Send `sig`; for SIGKILL/SIGTERM wait until the container has exited."""
        container = self._containers[handle.spec.name]
        with engine_call(f"killing {container.name} with {sig.name}"):
            container.reload()
            if container.status in ("running", "paused"):
                container.kill(signal=sig.name)
            if sig in EXIT_WAIT_S:
                self._wait_exited(container, EXIT_WAIT_S[sig])
                save_logs(container, handle.log_path)
                handle.running = handle.paused = False

    def _wait_exited(self, container: Container, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while container.status in ("running", "paused", "restarting"):
            if time.monotonic() > deadline:
                raise BackendError(f"{container.name} did not exit within {timeout_s:g}s")
            time.sleep(POLL_S / 2)
            container.reload()

    def pause(self, handle: InstanceHandle) -> None:
        """`docker pause` (cgroup freezer)."""
        with engine_call(f"pausing {names.container_name(self.run_id, handle.spec.name)}"):
            self._containers[handle.spec.name].pause()
        handle.paused = True

    def resume(self, handle: InstanceHandle) -> None:
        """`docker unpause`."""
        with engine_call(f"unpausing {names.container_name(self.run_id, handle.spec.name)}"):
            self._containers[handle.spec.name].unpause()
        handle.paused = False

    def disconnect(self, handle: InstanceHandle) -> None:
        """Take the instance off its networks (its region's); its published port goes too."""
        container = self._holders[handle.spec.name]
        for key in names.network_keys(handle.spec, self.run.regions):
            with engine_call(f"disconnecting {container.name} from {self._nets().name(key)}"):
                self._nets().ensure(key).disconnect(container, force=True)

    def reconnect(self, handle: InstanceHandle) -> None:
        """Put the instance back on its networks under its alias; re-read its host port."""
        container = self._holders[handle.spec.name]
        for key in names.network_keys(handle.spec, self.run.regions):
            with engine_call(f"connecting {container.name} to {self._nets().name(key)}"):
                self._nets().ensure(key).connect(container, aliases=[handle.spec.name])
        self._refresh_port(handle)

    def peer_address(self, handle: InstanceHandle) -> str:
        """`<instance name>:8080` (its network alias)."""
        return names.peer_address(handle.spec)

    def link_endpoint(self, proxy: InstanceHandle, index: int) -> tuple[str, str]:
        """Listen on 0.0.0.0:<10000+index> in the proxy container; sources dial `netproxy:<port>`."""
        return names.link_endpoint(proxy.spec, index)

    def teardown(self) -> None:
        """Remove every container and network of the run (tracked, then by label); safe twice."""
        if self._client is None:
            return
        sweep = Sweep()
        remove_objects(reversed(list(self._containers.values())), "container", sweep, self._logs())
        remove_objects(reversed(self._sidecars), "container", sweep, self._logs())
        remove_objects(reversed(list(self._holders.values())), "container", sweep, None)
        self._containers.clear()
        self._sidecars.clear()
        self._holders.clear()
        remove_objects(self._nets().tracked(), "network", sweep, None)
        self._nets().forget()
        rest = sweep_labelled(self._client, self.run_id, logs_dir=self._logs())
        failed = sweep.failed + rest.failed
        if failed:
            more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
            raise BackendError(
                f"teardown of run {self.run_id} incomplete: {failed[0]}{more}",
                hint=f"once the engine answers: `harness cleanup --run {self.run_id}`",
            )

    def _logs(self) -> Path:
        return self.run_dir / "logs"
