"""The model an instance serves, swapped atomically by replacing one reference between requests."""

from __future__ import annotations

from dataclasses import dataclass

from targets.common.metrics import Registry
from targets.inference.model import OnnxModel

__all__ = ["ModelSlot", "Serving"]


@dataclass(frozen=True)
class Serving:
    """One loaded model and the version name replies carry; never mutated, only replaced."""

    model: OnnxModel
    version: str
    sha256: str


class ModelSlot:
    """Hold the serving model; a handler reads `current` once and uses that snapshot throughout.

    Handlers and swaps both run on the event loop thread, so a swap lands between two requests'
    reads: no request can see the model of one version and the name of another."""

    def __init__(self, registry: Registry, serving: Serving, instance: str, region: str) -> None:
        self.current = serving
        self._labels = (instance, region)
        self._info = registry.gauge(
            "inference_model_info",
            "The model this instance serves (1 on the serving version only).",
            ("model_version", "instance", "region"),
        )
        self._info.set(serving.version, *self._labels, value=1.0)
        self.swaps = registry.counter(
            "inference_model_swaps_total", "Registry models swapped in while serving."
        )
        self.swaps.inc(amount=0.0)  # a visible 0 before the first swap

    def swap(self, new: Serving) -> Serving:
        """Serve `new` from the next request on; return the model it replaced."""
        old, self.current = self.current, new
        # Drop the old series so exactly one version shows 1 (no stale 0 series piling up).
        self._info.values.pop((old.version, *self._labels), None)
        self._info.set(new.version, *self._labels, value=1.0)
        self.swaps.inc()
        return old
