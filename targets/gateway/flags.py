"""The gateway's flags (`python -m targets.gateway.server`), for it and the harness."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from targets.common.flags import Flag, ServerFlags


@dataclass(frozen=True, kw_only=True)
class GatewayFlags(ServerFlags):
    """The gateway: its config file and its drain."""

    config: Annotated[Path, Flag("gateway config JSON file")]
    drain_grace_s: float = 0.0
    drain_timeout_s: float = 10.0
