"""The feed's records: the stream split as a frame, and records serialised as NDJSON lines."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from harness.reference.contract import FEATURE_NAMES as FEATURES
from harness.reference.contract import LABEL

__all__ = ["FEATURE_NAMES", "LABEL", "stream_frame", "to_line"]

FEATURE_NAMES = list(FEATURES)


def stream_frame(stream_path: Path) -> pd.DataFrame:
    """The stream split as records: id, label and the 20 features, in the build's seeded order."""
    with np.load(stream_path) as data:
        X, y = data["X"], data["y"]
    frame = pd.DataFrame(X, columns=FEATURE_NAMES)
    frame.insert(0, LABEL, y.astype(np.int64))
    frame.insert(0, "id", [f"rec-{n:09d}" for n in range(len(y))])
    return frame


def to_line(record: dict[str, Any], ts: float) -> bytes:
    """One NDJSON line; NaN/inf kept as JSON extensions so ingest sees (and rejects) them."""
    out = {"id": record.get("id"), "ts": round(ts, 3)} if "id" in record else {"ts": round(ts, 3)}
    for key, value in record.items():
        if key != "id":
            out[str(key)] = _plain(value)
    return json.dumps(out, default=str, allow_nan=True).encode()


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    return value
