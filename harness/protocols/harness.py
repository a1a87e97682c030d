"""Protocol `harness`: the reference inference service's own (`POST /predict` with `rows`)."""

from __future__ import annotations

from typing import ClassVar, Literal

from harness.protocols.base import ProtocolSpec, register_protocol


@register_protocol
class HarnessProtocol(ProtocolSpec):
    """`POST /predict {"rows": [[...], ...]}` → `{"predictions": [...], "model_version": ...}`."""

    kind: Literal["harness"] = "harness"
    health_path: ClassVar[str] = "/readyz"
