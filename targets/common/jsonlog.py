"""One JSON object per line on stdout, flushed at once so the harness sees events as they happen."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

__all__ = ["log_event"]


def log_event(event: str, **fields: Any) -> None:
    """Write one JSON event line (`event`, `t` epoch seconds, then fields) to stdout and flush."""
    record: dict[str, Any] = {"event": event, "t": round(time.time(), 6)}
    record.update(fields)
    line = json.dumps(record, default=str, separators=(", ", ": "))
    try:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        # A reader that went away must not take the server down with it.
        pass
