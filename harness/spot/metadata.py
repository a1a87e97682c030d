"""The state files the instances' metadata servers serve from (contract: docs/spot.md)."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

MOUNT = "metadata"  # the mount name of the folder, in service specs


@dataclass(frozen=True)
class Notice:
    """One preemption as the instance's metadata will show it (epoch seconds)."""

    provider: str
    rebalance_at: float | None
    notice_at: float
    terminate_at: float


class MetadataFiles:
    """`<run>/metadata/<instance>.json`, one per spot instance, replaced atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def path(self, instance: str) -> Path:
        """The state file of `instance`."""
        return self.folder / f"{instance}.json"

    def publish(self, instance: str, notice: Notice) -> None:
        """Write the whole schedule; the server reveals each part at its time."""
        state = {
            "provider": notice.provider,
            "rebalance_at": notice.rebalance_at,
            "notice_at": notice.notice_at,
            "terminate_at": notice.terminate_at,
            "event_id": str(uuid.uuid4()).upper(),
        }
        tmp = self.path(instance).with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        os.replace(tmp, self.path(instance))

    def clear(self, instance: str) -> None:
        """No notice any more (a fresh replacement, or a cancelled preemption)."""
        self.path(instance).unlink(missing_ok=True)
