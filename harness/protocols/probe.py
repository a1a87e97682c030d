"""The start-up probe: one request through the gateway, decoded in the service's protocol.

A service that answers but in another protocol (a V2 server addressed as mlflow) would
otherwise run the whole scenario as 100% failed requests; one request first says so at once.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from harness.errors import StackStartError
from harness.protocols.base import DecodeError, ProtocolSpec, excerpt

if TYPE_CHECKING:
    from harness.scenario.plan import Plan

INSTANCE_HEADER = "X-Harness-Instance"
PROBE_TIMEOUT_S = 10.0


def probe_stack(plan: Plan, gateway_url: str, holdout: Path) -> None:
    """When a region runs the user's own service, check it answers in its protocol."""
    own = [r for r in plan.scenario.stack.regions if r.inference.own]
    if not own:
        return  # the reference service speaks ours by construction
    with np.load(holdout) as data:
        first = np.asarray(data["X"][:1], dtype=np.float32)
    service = f"the inference service of {own[0].name}"
    check_protocol(gateway_url, own[0].inference.protocol, first, plan.dataset.features, service)


def check_protocol(
    gateway_url: str,
    protocol: ProtocolSpec,
    rows: npt.NDArray[np.float32],
    features: Sequence[str],
    service: str,
    timeout_s: float = PROBE_TIMEOUT_S,
) -> None:
    """POST `rows` encoded in `protocol` through the gateway; StackStartError unless it decodes."""
    enc = protocol.encode(rows, features)
    request = urllib.request.Request(
        gateway_url.rstrip("/") + enc.path, data=enc.body, headers=dict(enc.headers), method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as resp:
            status, body, instance = resp.status, resp.read(), resp.headers.get(INSTANCE_HEADER)
    except urllib.error.HTTPError as exc:
        status, body, instance = exc.code, exc.read(), exc.headers.get(INSTANCE_HEADER)
    except (urllib.error.URLError, OSError) as exc:
        raise StackStartError(
            f"protocol check: {service} could not be reached: POST {enc.path}: {exc}",
            hint=f"the gateway is at {gateway_url}",
        ) from None
    try:
        protocol.decode(status, body, len(rows))
    except DecodeError as exc:
        who = f"{instance} ({service})" if instance else service
        raise StackStartError(
            f"protocol mismatch: {who} does not answer as {protocol.kind}: "
            f"POST {enc.path} answered HTTP {status}: {exc.reason}",
            hint=(
                f"a server speaking {protocol.kind} answers POST {protocol.request_path()}"
                f"{_settings(protocol)}; check `protocol:` of the region's inference against "
                f"what the service speaks. Its answer began: {excerpt(body)!r}"
            ),
        ) from None


def _settings(protocol: ProtocolSpec) -> str:
    settings = protocol.model_dump(exclude_defaults=True, exclude={"kind"})
    return f" (settings {settings})" if settings else ""
