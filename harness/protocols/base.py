"""The protocol registry: how requests and answers are encoded for an inference service.

Each protocol is one module of harness/protocols/, a pydantic spec (its YAML settings, `kind`
a Literal) registered with `@register_protocol`, the same pattern as faults.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from harness.registry import Registry, spec_kind
from harness.scenario.types import StrictModel


class ProtocolSpec(StrictModel):
    """The settings of one protocol; each protocol subclasses this with `kind: Literal[...]`."""

    kind: str
    health_path: ClassVar[str] = "/readyz"  # what the gateway probes unless `health.path` says

    def default_health_path(self) -> str:
        """The health path of a server speaking this protocol."""
        return self.health_path


PROTOCOLS: Registry[type[ProtocolSpec]] = Registry("protocol")

P = TypeVar("P", bound=type[ProtocolSpec])


def register_protocol(cls: P) -> P:
    """Class decorator: register a protocol spec under the name its `kind` Literal gives."""
    PROTOCOLS.register(spec_kind(cls))(cls)
    return cls
