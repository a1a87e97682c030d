"""The load spec (harness → worker) and the worker's end-of-run summary (worker → harness)."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.errors import HarnessError
from harness.protocols import ProtocolSpec
from harness.protocols.field import parse_protocol

ALLOWED_HOST = "127.0.0.1"
SUMMARY_KEY = "load_summary"
READY_LINE = b'{"worker_ready":true}\n'  # on the sample stream: imported, waiting for the go line
PENDING_GATEWAY = "http://127.0.0.1:9"  # an await_go spec's URL until the go line: never dialled


def check_gateway_url(url: str) -> str:
    """Return `url` without a trailing slash, or raise HarnessError unless it is http://127.0.0.1:PORT."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise HarnessError(f"load: bad gateway URL {url!r}: {exc}") from None
    if parts.scheme != "http" or parts.hostname != ALLOWED_HOST or port is None:
        raise HarnessError(
            f"load: refusing gateway URL {url!r}: only http://{ALLOWED_HOST}:PORT is allowed",
            hint="the harness reaches services only through addresses on 127.0.0.1",
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise HarnessError(
            f"load: gateway URL {url!r} must not carry credentials, query or fragment"
        )
    return url.rstrip("/")


@dataclass(frozen=True)
class LoadSpec:
    """What the load worker does: one request per 1/`rate` s for `duration_s` s, in `protocol`.

    `protocol` is a protocol spec's model_dump() (the service's `inference.protocol`),
    `features` the column names of the held-out X in order, and `classes` the class values
    the held-out y indexes (a prediction is judged by its index in them).
    """

    gateway_url: str
    holdout_path: str | Path
    rate: float
    duration_s: float
    t0_epoch: float
    seed: int
    timeout_s: float
    batch_size: int = 1
    run_id: str | None = None
    # Serving corruption (feature skew): [start_s, end_s, npz path of the corrupted held-out X].
    # Request i is corrupted when its planned send time i/rate falls in a window, so the
    # harness can tell afterwards exactly which rows each request carried.
    corruptions: tuple[tuple[float, float, str], ...] = ()
    # Started before the stack is up: the worker says it is ready (READY on its sample stream),
    # then reads one JSON line on stdin with the real `gateway_url` and `t0_epoch`.
    await_go: bool = False
    # The dataset's feature columns in order, and its classes: `y` of the held-out npz holds
    # indices into `classes` (the reference data: its 20 features, classes (0, 1)).
    features: tuple[str, ...] = ()
    classes: tuple[int | str, ...] = (0, 1)
    # The service's protocol: its spec's model_dump() (the first region's inference.protocol).
    protocol: dict[str, Any] = field(default_factory=lambda: {"kind": "harness"})

    def __post_init__(self) -> None:
        check_gateway_url(self.gateway_url)
        if not isinstance(self.protocol, dict) or not isinstance(self.protocol.get("kind"), str):
            raise HarnessError(f"load: protocol must be a mapping with a kind: {self.protocol!r}")
        if not self.classes:
            raise HarnessError("load: classes must name at least one class")
        for name in ("rate", "duration_s", "timeout_s"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise HarnessError(f"load: {name} must be a positive number, got {value!r}")
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int):
            raise HarnessError(f"load: batch_size must be an integer, got {self.batch_size!r}")
        if self.batch_size < 1:
            raise HarnessError(f"load: batch_size must be >= 1, got {self.batch_size}")

    @property
    def predict_url(self) -> str:
        """Return the full URL requests go to."""
        return check_gateway_url(self.gateway_url) + "/predict"

    def protocol_spec(self) -> ProtocolSpec:
        """The protocol the requests are encoded in (HarnessError when its settings are bad)."""
        try:
            return parse_protocol(self.protocol)
        except ValueError as exc:
            raise HarnessError(f"load: bad protocol {self.protocol!r}: {exc}") from None

    @property
    def planned_requests(self) -> int:
        """Return how many requests the schedule sends when it runs to the end."""
        return max(1, round(self.rate * self.duration_s))

    @property
    def pool_depth(self) -> int:
        """Return the client pool depth: every request of one timeout window may be in flight."""
        return math.ceil(self.rate * self.timeout_s * 1.25) + 8

    def with_go(self, line: bytes) -> LoadSpec:
        """This spec with the `gateway_url` and `t0_epoch` of a go line (JSON)."""
        try:
            go = json.loads(line)
            return replace(self, gateway_url=str(go["gateway_url"]), t0_epoch=float(go["t0_epoch"]))
        except (ValueError, TypeError, KeyError) as exc:
            raise HarnessError(f"load: bad go line {line[:200]!r}: {exc}") from None

    def to_json(self) -> str:
        """Encode as JSON (the file given to the worker with --spec)."""
        data = {**asdict(self), "holdout_path": str(self.holdout_path)}
        return json.dumps(data, indent=2)

    def write(self, path: Path) -> None:
        """Write the spec file the worker reads."""
        path.write_text(self.to_json() + "\n")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LoadSpec:
        """Build from decoded JSON; unknown or missing keys raise HarnessError."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise HarnessError(f"load spec: unknown field(s) {', '.join(unknown)}")
        try:
            windows = data.get("corruptions") or ()
            data = {
                **data,
                "corruptions": tuple((float(a), float(b), str(p)) for a, b, p in windows),
                "features": tuple(data.get("features") or ()),
                "classes": tuple(data.get("classes") or (0, 1)),
            }
            return cls(**data)
        except (TypeError, ValueError) as exc:
            raise HarnessError(f"load spec: {exc}") from None

    @classmethod
    def read(cls, path: Path) -> LoadSpec:
        """Read a spec file written by `write`."""
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise HarnessError(f"load spec {path}: {exc}") from None
        if not isinstance(data, dict):
            raise HarnessError(f"load spec {path}: expected a JSON object")
        return cls.from_dict(data)


@dataclass(frozen=True)
class LoadSummary:
    """The worker's last word: offered vs achieved rate and whether it looked CPU-bound."""

    offered_rate: float
    achieved_rate: float
    planned: int
    sent: int
    completed: int
    ok: int
    failed: int
    send_window_s: float
    max_lag_ms: float
    late_sends: int
    max_in_flight: int
    cpu_percent: float
    cpu_warning: bool
    cpu_bound: bool
    stopped_by: str

    def to_line(self) -> str:
        """Encode as the one JSON line the worker prints to stderr at exit."""
        return json.dumps({SUMMARY_KEY: asdict(self)}, separators=(",", ":"))

    @classmethod
    def from_line(cls, line: str) -> LoadSummary | None:
        """Decode a line printed by `to_line`; None when the line is something else."""
        if SUMMARY_KEY not in line:
            return None
        try:
            data = json.loads(line)[SUMMARY_KEY]
            names = {f.name for f in fields(cls)}
            return cls(**{k: v for k, v in data.items() if k in names})
        except (ValueError, TypeError, KeyError):
            return None
