"""The object store's flags (`python -m targets.objectstore.server`), for it and the harness."""

from __future__ import annotations

from dataclasses import dataclass

from targets.common.flags import ServerFlags


@dataclass(frozen=True, kw_only=True)
class ObjectStoreFlags(ServerFlags):
    """One region's object store."""

    region: str = "us-east-1"
