"""The inference server's flags (`python -m targets.inference.server`), for it and the harness."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from targets.common.flags import Flag, ServerFlags
from targets.inference.termination import PROVIDERS


def positive(text: str) -> float:
    """A float > 0 (an argparse type)."""
    value = float(text)
    if not value > 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


@dataclass(frozen=True, kw_only=True)
class InferenceFlags(ServerFlags):
    """One inference instance: its model, who it is, drain, registry, drift and spot settings."""

    model: Annotated[Path, Flag("path to model.onnx")]
    instance: str = "inference-0"
    region: str = "local"
    model_version: Annotated[str | None, Flag("default: manifest.json beside model")] = None
    drain_grace_s: float = 0.5
    drain_timeout_s: Annotated[
        float, Flag("longest wait for in-flight requests after the grace")
    ] = 10.0
    service_time_ms: Annotated[float, Flag("extra simulated model time per request")] = 0.0
    max_rows: int = 10_000
    registry: Annotated[str | None, Flag("object store URL to poll for models")] = None
    registry_poll_s: float = 1.0
    profile: Annotated[Path | None, Flag("profile.json: feature_drift check")] = None
    drift_window: Annotated[int, Flag("rows in the drift window")] = 200
    alert_hold_s: Annotated[float, Flag("model_rejected alert time")] = 10.0
    spot_metadata: Annotated[str | None, Flag("metadata URL to poll for spot notices")] = None
    spot_provider: Annotated[str, Flag(choices=PROVIDERS)] = "aws"
    spot_poll_s: Annotated[float, Flag("seconds between polls", parse=positive)] = 5.0
