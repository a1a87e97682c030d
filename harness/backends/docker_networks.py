"""The bridge networks of one run: one per region plus the core, created on demand, labelled."""

from __future__ import annotations

import threading

import docker
from docker.models.networks import Network

from harness.backends.base import RunInfo
from harness.backends.docker_engine import engine_call
from harness.backends.docker_names import NETWORK_SERVICE, labels, network_name
from harness.errors import BackendError

POOL_HINT = (
    "the engine may have run out of subnets: remove leftovers of earlier runs (`harness cleanup`)"
)


class RunNetworks:
    """Creates the networks of one run and keeps them by key (a region name or `core`)."""

    def __init__(self, client: docker.DockerClient, run: RunInfo, owner_pid: int) -> None:
        self._client = client
        self._run = run
        self._owner = owner_pid
        self._nets: dict[str, Network] = {}
        self._lock = threading.Lock()

    def name(self, key: str) -> str:
        """The Docker name of network `key`."""
        return network_name(self._run.run_id, key)

    def ensure(self, key: str) -> Network:
        """Network `key`, created (labelled, bridge) on first use."""
        with self._lock:
            if key not in self._nets:
                self._nets[key] = self._create(key)
            return self._nets[key]

    def _create(self, key: str) -> Network:
        name = self.name(key)
        try:
            with engine_call(f"creating network {name}"):
                return self._client.networks.create(
                    name,
                    driver="bridge",
                    labels=labels(self._run, NETWORK_SERVICE, key, self._owner),
                    check_duplicate=True,
                )
        except BackendError as exc:
            if "address pool" in exc.message:
                raise BackendError(exc.message, hint=POOL_HINT) from None
            raise

    def tracked(self) -> list[Network]:
        """Every network created so far."""
        with self._lock:
            return list(self._nets.values())

    def forget(self) -> None:
        """Drop what was tracked (after teardown removed it)."""
        with self._lock:
            self._nets.clear()
