"""The running stack: starts the topology on a backend, wires every link through the proxy."""

from __future__ import annotations

import json
import logging
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from toxiproxy import Toxiproxy

from harness.backends.base import Backend, InstanceHandle, ServiceSpec
from harness.events import (
    EventLog,
    InstanceKilled,
    InstancePaused,
    InstanceResumed,
    InstanceStarted,
    LinkChanged,
)
from harness.reference.registry import publish_reference_model
from harness.reference.services import gateway_config, gateway_spec, netproxy_spec, service_spec
from harness.scenario.plan import Plan
from harness.scenario.topology import GATEWAY, OBJECT_STORE, InstancePlan, LinkPlan
from harness.spot.capacity import ReplacementPolicy, SpotCapacity
from harness.spot.metadata import MetadataFiles

log = logging.getLogger(__name__)


class LinkProxy(Protocol):
    """One link at the proxy, as the stack and the faults use it (toxiproxy-python's Proxy)."""

    def disable(self) -> None: ...
    def enable(self) -> None: ...
    def add_toxic(self, **kwargs: Any) -> object: ...
    def destroy_toxic(self, toxic_name: str) -> object: ...


class ProxyClient(Protocol):
    """The proxy's API as the stack uses it (toxiproxy-python's Toxiproxy)."""

    def update_api_consumer(self, host: str, port: int) -> None: ...
    def create(self, upstream: str, name: str, listen: str | None = None) -> LinkProxy: ...


PublishModel = Callable[[list[str], Path], None]  # (store URLs, model dir): seed the registries


def _count(instances: list[InstancePlan]) -> str:
    """'2 inference, 2 ingest instances' for progress lines."""
    services = [i.service for i in instances]
    counts = ", ".join(f"{services.count(s)} {s}" for s in dict.fromkeys(services))
    return f"{counts} instances"


class RunningStack:
    """Instances, links and the proxy of one run; lookups and the primitives faults use."""

    def __init__(
        self,
        plan: Plan,
        backend: Backend,
        events: EventLog,
        clock: Callable[[], float],
        model_dir: Path,
        start_timeout_s: float,
        *,
        proxy_client: ProxyClient | None = None,
        publish_model: PublishModel = publish_reference_model,
    ) -> None:
        self.plan = plan
        self.backend = backend
        self.events = events
        self.clock = clock
        self.model_dir = model_dir
        self.start_timeout_s = start_timeout_s
        self.handles: dict[str, InstanceHandle] = {}
        self._proxies: dict[str, LinkProxy] = {}
        self._dial: dict[str, str] = {}
        # Unit tests pass fakes for the proxy's API and the registry seed; runs use the real ones.
        self._toxiproxy: ProxyClient = Toxiproxy() if proxy_client is None else proxy_client
        self._publish_model = publish_model
        self._proxy: InstanceHandle
        self._restarts: list[threading.Thread] = []  # readiness waits of restart_all(wait=False)
        self._stopping = threading.Event()
        policy = ReplacementPolicy(plan.spot.replacement_capacity, plan.spot.replacement_delay_s)
        self.spot = SpotCapacity(self, MetadataFiles(backend.run_dir / "metadata"), policy)

    def start(self, progress: Callable[[str], None]) -> None:
        """Proxy first, then stores, the other regional services, and the gateway.

        Each wave is health-gated, and a link is wired as soon as its destination is up, so a
        service is given working URLs (through the proxy) for everything it talks to.
        """
        self.backend.prepare(progress)
        progress("starting network-fault proxy")
        self._proxy = self._start_and_wait([netproxy_spec()])[0]
        self._toxiproxy.update_api_consumer("127.0.0.1", self._proxy.port)
        topo = self.plan.topology
        stores = topo.of_service(OBJECT_STORE)
        if stores:
            progress(f"starting {len(stores)} object stores")
            self._start_and_wait([self._spec(i) for i in stores])
            self._wire_ready_links()
            self._publish_model([self.handles[i.name].url for i in stores], self.model_dir)
        rest = [i for i in topo.regional() if i.service != OBJECT_STORE]
        progress(f"starting {_count(rest)}")
        self._start_and_wait([self._spec(i) for i in rest])
        self._wire_ready_links()
        config = self.backend.run_dir / "config" / "gateway.json"
        config.parent.mkdir(exist_ok=True)
        config.write_text(json.dumps(gateway_config(self.plan, self.link_url), indent=2))
        progress("starting gateway")
        self._start_and_wait([gateway_spec(config)])

    def _spec(self, inst: InstancePlan) -> ServiceSpec:
        return service_spec(
            inst, self.plan, self.model_dir, self.store_url, self.spot.metadata.folder
        )

    def store_url(self, src: InstancePlan, region: str) -> str:
        """The URL `src` uses to reach the object store of `region` (through its proxy link)."""
        store = self.plan.topology.store_of(region)
        return self.link_url(self.link(f"{src.name}-to-{store.name}"))

    def _wire_ready_links(self) -> None:
        links = self.plan.topology.links
        for index, link in enumerate(links):
            if link.name not in self._dial and link.dst.name in self.handles:
                self._wire(link, self._proxy, index)

    def _start_and_wait(self, specs: list[ServiceSpec]) -> list[InstanceHandle]:
        handles = [self.backend.start(spec) for spec in specs]
        for handle in handles:
            self.handles[handle.spec.name] = handle
        with ThreadPoolExecutor(max_workers=max(1, len(handles))) as pool:
            list(pool.map(lambda h: self.backend.wait_ready(h, self.start_timeout_s), handles))
        return handles

    def _wire(self, link: LinkPlan, proxy: InstanceHandle, index: int) -> None:
        upstream = self.backend.peer_address(self.handles[link.dst.name])
        listen, dial = self.backend.link_endpoint(proxy, index)
        self._proxies[link.name] = self._toxiproxy.create(
            upstream=upstream, name=link.name, listen=listen
        )
        self._dial[link.name] = dial

    def link_url(self, link: LinkPlan) -> str:
        """The URL a link's source uses to reach its destination (through the proxy)."""
        return f"http://{self._dial[link.name]}"

    @property
    def gateway_url(self) -> str:
        """Where clients send requests."""
        return self.handles[GATEWAY].url

    def link(self, name: str) -> LinkPlan:
        """The link called `name`."""
        return next(link for link in self.plan.topology.links if link.name == name)

    def instance(self, name: str) -> InstancePlan:
        """The instance called `name`."""
        inst = self.plan.topology.instance_named(name)
        assert inst is not None, name
        return inst

    def proxy(self, link: LinkPlan) -> LinkProxy:
        """The proxy client object of a link."""
        return self._proxies[link.name]

    def cut(self, link: LinkPlan) -> None:
        """Take a link down at the proxy and record it."""
        self.proxy(link).disable()
        self.events.emit(LinkChanged(self.clock(), link=link.name, change="down"))

    def restore(self, link_name: str) -> None:
        """Bring a cut link back up and record it."""
        self.proxy(self.link(link_name)).enable()
        self.events.emit(LinkChanged(self.clock(), link=link_name, change="up"))

    def kill(self, inst: InstancePlan, reason: str, sig: signal.Signals = signal.SIGKILL) -> None:
        """Kill an instance on purpose and record it."""
        self.backend.kill(self.handles[inst.name], sig)
        self.events.emit(InstanceKilled(self.clock(), instance=inst.name, signal=sig.name))

    def pause(self, inst: InstancePlan) -> None:
        """Freeze an instance (SIGSTOP or container pause) and record it."""
        self.backend.pause(self.handles[inst.name])
        self.events.emit(InstancePaused(self.clock(), instance=inst.name))

    def resume(self, inst: InstancePlan) -> None:
        """Unfreeze an instance and record it."""
        self.backend.resume(self.handles[inst.name])
        self.events.emit(InstanceResumed(self.clock(), instance=inst.name))

    def restart_all(self, instances: list[InstancePlan], *, wait: bool = True) -> None:
        """Start instances again; each is recorded as started once it is ready.

        With `wait`, return once all are ready (in parallel). Without, return as soon as they
        are launched: a fault's revert must not hold up the schedule while a slow server
        (MLflow takes 13 s on two cores) starts, and the gateway's health checks find it
        when it is ready. `wait_restarts` joins those waits.
        """
        handles = [self.handles[i.name] for i in instances]
        for handle in handles:
            self.backend.restart(handle)
        if not wait:
            for handle in handles:
                waiter = threading.Thread(
                    target=self._ready_in_background, args=(handle,), daemon=True
                )
                waiter.start()
                self._restarts.append(waiter)
            return
        with ThreadPoolExecutor(max_workers=max(1, len(handles))) as pool:
            list(pool.map(self._ready_again, handles))

    def wait_restarts(self, timeout_s: float) -> None:
        """Join the readiness waits of restarts that did not wait."""
        waiters, self._restarts = self._restarts, []
        for waiter in waiters:
            waiter.join(timeout_s)

    def _ready_again(self, handle: InstanceHandle) -> None:
        self.backend.wait_ready(handle, self.start_timeout_s)
        self.events.emit(InstanceStarted(self.clock(), instance=handle.spec.name))

    def _ready_in_background(self, handle: InstanceHandle) -> None:
        try:
            self._ready_again(handle)
        except Exception as exc:  # the run goes on: its samples show the instance missing
            if not self._stopping.is_set():
                log.warning("%s did not come back after its restart: %s", handle.spec.name, exc)

    def teardown(self) -> None:
        """Stop launching replacements, then stop everything the backend started."""
        self.spot.stop()
        self._stopping.set()  # a restart still starting is stopped with the rest
        self.backend.teardown()
        self.wait_restarts(5.0)
