"""Routing policies, one per architecture, registered by the config's `architecture` name."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from targets.gateway.pool import Instance, Pool

__all__ = ["POLICIES", "Policy", "make_policy", "register_policy"]

POLICIES: dict[str, type[Policy]] = {}


def register_policy(name: str) -> Callable[[type[Policy]], type[Policy]]:
    """Register a policy class under an architecture name; a duplicate name raises."""

    def add(cls: type[Policy]) -> type[Policy]:
        if name in POLICIES:
            raise ValueError(f"duplicate policy {name!r}")
        cls.name = name
        POLICIES[name] = cls
        return cls

    return add


def make_policy(architecture: str, pool: Pool) -> Policy:
    """Build the policy for an architecture name."""
    try:
        return POLICIES[architecture](pool)
    except KeyError:
        raise ValueError(
            f"unknown architecture {architecture!r}; known: {sorted(POLICIES)}"
        ) from None


class Policy:
    """Decide which instances may serve a request, in the order to try them."""

    name: ClassVar[str] = ""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self._next = 0

    @property
    def active_region(self) -> str | None:
        """Return the region taking all traffic, or None when traffic spans regions."""
        return None

    def routable(self) -> list[Instance]:
        """Return the instances this policy may send traffic to right now."""
        raise NotImplementedError

    def candidates(self) -> list[Instance]:
        """Return distinct instances to try in order, round robin over the routable ones."""
        items = self.routable()
        if not items:
            return []
        start = self._next % len(items)
        self._next += 1
        return items[start:] + items[:start]

    def on_request_failure(self, instance: Instance, error: str) -> bool:
        """React to a failed request; return True when the instance was ejected."""
        return False

    def refresh(self) -> tuple[str, str] | None:
        """Re-evaluate after a health-check round; return (from, to) when the region changed."""
        return None


def _healthy_or_all(instances: list[Instance]) -> list[Instance]:
    # When none is healthy, still try them all: failing open beats a certain 503.
    healthy = [i for i in instances if i.healthy]
    return healthy or list(instances)


@register_policy("single-region")
class SingleRegion(Policy):
    """Serve only from the first region."""

    @property
    def active_region(self) -> str | None:
        return self.pool.region_names[0]

    def routable(self) -> list[Instance]:
        return _healthy_or_all(self.pool.regions[self.pool.region_names[0]])


@register_policy("active-passive")
class ActivePassive(Policy):
    """Serve from the first region (priority order) that has a healthy instance."""

    def __init__(self, pool: Pool) -> None:
        super().__init__(pool)
        self._active = pool.region_names[0]

    @property
    def active_region(self) -> str | None:
        return self._active

    def routable(self) -> list[Instance]:
        return _healthy_or_all(self.pool.regions[self._active])

    def refresh(self) -> tuple[str, str] | None:
        for region in self.pool.region_names:
            if self.pool.healthy_in(region):
                break
        else:
            return None  # nothing healthy anywhere: stay where we are
        if region == self._active:
            return None
        previous, self._active = self._active, region
        return previous, region


@register_policy("active-active")
class ActiveActive(Policy):
    """Spread over every healthy instance of every region; eject an instance that fails."""

    def routable(self) -> list[Instance]:
        return _healthy_or_all(self.pool.instances)

    def on_request_failure(self, instance: Instance, error: str) -> bool:
        return instance.eject(error)
