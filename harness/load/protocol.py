"""Request bodies drawn from the held-out rows, and gateway replies turned into samples."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from harness.errors import HarnessError
from harness.load.samples import FIELDNAMES, Sample

ERROR_TEXT_MAX = 300


class Outgoing(NamedTuple):
    """One request as the feed builds it: its body and what the sample records about it."""

    body: str
    label: int  # of the first row: the prediction judged is the first
    row: int  # held-out index of the first row
    corruption: str | None  # the serving corruption whose rows it carried (its fault), or None


class RowFeed:
    """Held-out rows in a seeded order: for a given seed, request i always carries the same rows.

    The order lives here only: each sample records the row and the corruption its request
    carried, so scoring reads them instead of replaying this order.
    """

    def __init__(
        self, x: npt.NDArray[np.float32], y: npt.NDArray[np.int64], seed: int, batch_size: int
    ) -> None:
        if x.ndim != 2 or y.ndim != 1 or len(x) != len(y) or len(y) == 0:
            raise HarnessError(
                f"load: held-out data must be X [n, f] and y [n] with n >= 1, "
                f"got X {x.shape} and y {y.shape}"
            )
        self.x = x
        self.y = y
        self.batch_size = batch_size
        self.order = np.random.default_rng(seed).permutation(len(y))
        self.windows: list[tuple[float, float, str, npt.NDArray[np.float32]]] = []

    def add_corruption(self, start_s: float, end_s: float, path: str | Path) -> None:
        """Send the rows of the npz file's X instead of the clean ones in [start_s, end_s).

        The file's stem names the corruption (its fault) in the samples of those requests.
        """
        with np.load(path) as data:
            x = np.asarray(data["X"], dtype=np.float32)
        if x.shape != self.x.shape:
            raise HarnessError(f"load: corrupted rows {path} are {x.shape}, not {self.x.shape}")
        self.windows.append((start_s, end_s, Path(path).stem, x))

    def source_at(self, t_planned: float) -> tuple[str | None, npt.NDArray[np.float32]]:
        """The corruption in force for a request planned at `t_planned` s (None: clean), and its rows."""
        for start, end, name, x in self.windows:
            if start <= t_planned < end:
                return name, x
        return None, self.x

    @classmethod
    def load(cls, path: str | Path, seed: int, batch_size: int) -> RowFeed:
        """Read an npz file with arrays X (float32 [n, f]) and y (int64 [n])."""
        try:
            with np.load(path) as data:
                x = np.asarray(data["X"], dtype=np.float32)
                y = np.asarray(data["y"], dtype=np.int64)
        except (OSError, KeyError, ValueError) as exc:
            raise HarnessError(f"load: cannot read held-out file {path}: {exc}") from None
        return cls(x, y, seed, batch_size)

    def rows_for(self, i: int) -> list[int]:
        """Return the row indices request number `i` sends."""
        n = len(self.order)
        start = i * self.batch_size
        return [int(self.order[(start + k) % n]) for k in range(self.batch_size)]

    def request(self, i: int, t_planned: float = 0.0) -> Outgoing:
        """Build request `i`, planned at `t_planned` s: body, first row's label, row, corruption."""
        rows = self.rows_for(i)
        corruption, x = self.source_at(t_planned)
        body = '{"rows":[' + ",".join(json.dumps(x[r].tolist()) for r in rows) + "]}"
        return Outgoing(body, int(self.y[rows[0]]), rows[0], corruption)


@dataclass(frozen=True)
class Reply:
    """What one gateway answer (or its absence) says, before timing is attached."""

    ok: bool
    status: int
    predicted: int | None = None
    region: str | None = None
    instance: str | None = None
    model_version: str | None = None
    error: str | None = None


def read_reply(status: int, content: bytes | None, batch_size: int) -> Reply:
    """Judge an HTTP answer: ok only for status 200 with a well-formed body."""
    body = _decode_json(content)
    region, instance, version = (_opt_str(body, k) for k in ("region", "instance", "model_version"))
    meta: dict[str, Any] = {"region": region, "instance": instance, "model_version": version}
    if status != 200:
        return Reply(ok=False, status=status, error=_error_text(status, body, content), **meta)
    problem = _check_predictions(body, batch_size)
    if problem:
        return Reply(ok=False, status=status, error=f"malformed reply: {problem}", **meta)
    assert isinstance(body, dict)
    return Reply(ok=True, status=status, predicted=int(body["predictions"][0]), **meta)


def failed_reply(error: str) -> Reply:
    """Return the reply of a request that got no HTTP answer (connection error, timeout)."""
    return Reply(ok=False, status=0, error=error[:ERROR_TEXT_MAX])


def make_sample(
    t_start: float, t_end: float, latency_ms: float, sent: Outgoing, reply: Reply, request: int = -1
) -> Sample:
    """Combine timing, what the request carried and the reply into one sample."""
    correct = reply.predicted == sent.label if reply.predicted is not None else None
    return Sample(
        t_start=round(t_start, 6),
        t_end=round(t_end, 6),
        ok=reply.ok,
        status=reply.status,
        latency_ms=round(latency_ms, 3),
        region=reply.region,
        instance=reply.instance,
        predicted=reply.predicted,
        label=sent.label,
        correct=correct,
        model_version=reply.model_version,
        error=reply.error,
        request=request if request >= 0 else None,
        row=sent.row,
        corruption=sent.corruption,
    )


def encode_sample(sample: Sample) -> str:
    """Encode like `Sample.to_json()`, without dataclasses.asdict's deep copy (hot path)."""
    return json.dumps({name: getattr(sample, name) for name in FIELDNAMES}, separators=(",", ":"))


def _decode_json(content: bytes | None) -> Any:
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None


def _opt_str(body: Any, key: str) -> str | None:
    value = body.get(key) if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def _error_text(status: int, body: Any, content: bytes | None) -> str:
    if isinstance(body, dict) and "error" in body:
        text = str(body["error"])
    elif content:
        text = content.decode("utf-8", "replace")
    else:
        text = ""
    return (f"HTTP {status}: {text}" if text else f"HTTP {status}")[:ERROR_TEXT_MAX]


def _check_predictions(body: Any, batch_size: int) -> str | None:
    if not isinstance(body, dict):
        return "body is not a JSON object"
    preds = body.get("predictions")
    if not isinstance(preds, list) or len(preds) != batch_size:
        return f"expected 'predictions' as a list of {batch_size} int(s)"
    if not all(isinstance(p, int) and not isinstance(p, bool) for p in preds):
        return "'predictions' holds a non-integer"
    return None
