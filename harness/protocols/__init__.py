"""Inference protocols, one module per protocol, registered by the `kind` their spec names."""

from __future__ import annotations

from harness.discovery import import_modules
from harness.protocols.base import PROTOCOLS, ProtocolSpec, register_protocol

__all__ = ["PROTOCOLS", "ProtocolSpec", "register_protocol"]

# A new protocol is one new module here: importing it runs its @register_protocol
# (probe is the start-up check, not a protocol).
import_modules(__name__, __path__, skip=("base", "field", "probe"))
