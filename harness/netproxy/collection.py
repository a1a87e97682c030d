"""Every proxy by name, and the operations that create, replace, reset or remove them."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

from harness.netproxy import errors
from harness.netproxy.errors import ApiError
from harness.netproxy.proxy import Proxy


@dataclass(frozen=True)
class ProxyConfig:
    """The fields that define a proxy, as a create or populate entry gives them."""

    name: str
    listen: str
    upstream: str
    enabled: bool = True


class ProxyCollection:
    """Mutations run under one lock, so a check and the bind after it cannot interleave."""

    def __init__(self, seed: int | None = None) -> None:
        self.lock = asyncio.Lock()
        self._proxies: dict[str, Proxy] = {}
        self._seed = seed if seed is not None else random.SystemRandom().randrange(2**63)

    def all(self) -> list[Proxy]:
        """Return every proxy, sorted by name."""
        return [self._proxies[name] for name in sorted(self._proxies)]

    def get(self, name: str) -> Proxy:
        """Return the proxy called `name`; 404 if there is none."""
        try:
            return self._proxies[name]
        except KeyError:
            raise ApiError(errors.NOT_FOUND_PROXY, 404) from None

    async def create(self, config: ProxyConfig) -> Proxy:
        """Add a new proxy, started if enabled; 409 before binding if the name is taken."""
        if config.name in self._proxies:
            raise ApiError(errors.EXISTS_PROXY, 409)
        proxy = self._new(config)
        if config.enabled:
            await proxy.start()
        self._proxies[config.name] = proxy
        return proxy

    async def delete(self, name: str) -> None:
        """Stop the proxy called `name`, close its connections and forget it and its toxics."""
        proxy = self.get(name)
        del self._proxies[name]
        await proxy.stop()

    async def populate(self, configs: list[ProxyConfig]) -> tuple[list[Proxy], ApiError | None]:
        """Create or replace proxies in order; stop at the first failure, keeping earlier ones."""
        done: list[Proxy] = []
        for config in configs:
            try:
                done.append(await self._add_or_replace(config))
            except ApiError as exc:
                return done, exc
        return done, None

    async def reset(self) -> None:
        """Start every disabled proxy on its old address and remove every toxic."""
        for proxy in self.all():
            await proxy.start()
            proxy.toxics.clear()

    async def close(self) -> None:
        """Stop every proxy (listeners and connections); used at shutdown."""
        for proxy in self.all():
            await proxy.stop()

    async def _add_or_replace(self, config: ProxyConfig) -> Proxy:
        existing = self._proxies.get(config.name)
        if existing is not None:
            if not existing.differs(config.listen, config.upstream):
                return existing  # untouched: toxics and enabled flag stay as they are
            await existing.stop()  # like Toxiproxy: on a failed start below it stays, stopped
        proxy = self._new(config)
        if config.enabled:
            await proxy.start()
        self._proxies[config.name] = proxy
        return proxy

    def _new(self, config: ProxyConfig) -> Proxy:
        # One seeded generator per proxy, derived by name, so runs can be replayed.
        rng = random.Random(f"{self._seed}:{config.name}")
        return Proxy(config.name, config.listen, config.upstream, rng)
