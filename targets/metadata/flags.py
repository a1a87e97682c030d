"""The spot metadata server's flags (`python -m targets.metadata.server`), for it and the harness."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from targets.common.flags import Flag, ServerFlags


@dataclass(frozen=True, kw_only=True)
class MetadataFlags(ServerFlags):
    """The metadata endpoint of one instance, serving the schedule the harness writes."""

    state: Annotated[Path, Flag("schedule file the harness writes")]
    instance: Annotated[str, Flag("the instance's name (instance-id, name)")]
