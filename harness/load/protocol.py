"""Requests encoded in the service's protocol from the held-out rows, and answers turned into samples."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from harness.errors import HarnessError
from harness.load.samples import FIELDNAMES, Sample
from harness.protocols.base import JSON_HEADERS, DecodeError, ProtocolSpec
from harness.protocols.harness import HarnessProtocol

ERROR_TEXT_MAX = 300
REGION_HEADER, INSTANCE_HEADER = "X-Harness-Region", "X-Harness-Instance"
UNKNOWN_CLASS = -1  # a prediction that is none of the classes: never correct
HARNESS = HarnessProtocol()


class Outgoing(NamedTuple):
    """One request as the feed builds it: its body and what the sample records about it."""

    body: bytes | str
    label: int  # class index of the first row: the prediction judged is the first
    row: int  # held-out index of the first row
    corruption: str | None  # the serving corruption whose rows it carried (its fault), or None
    path: str = "/predict"
    headers: Mapping[str, str] = JSON_HEADERS


class RowFeed:
    """Held-out rows in a seeded order: for a given seed, request i always carries the same rows.

    The order lives here only: each sample records the row and the corruption its request
    carried, so scoring reads them instead of replaying this order.
    """

    def __init__(
        self,
        x: npt.NDArray[np.float32],
        y: npt.NDArray[np.int64],
        seed: int,
        batch_size: int,
        protocol: ProtocolSpec = HARNESS,
        features: Sequence[str] = (),
    ) -> None:
        if x.ndim != 2 or y.ndim != 1 or len(x) != len(y) or len(y) == 0:
            raise HarnessError(
                f"load: held-out data must be X [n, f] and y [n] with n >= 1, "
                f"got X {x.shape} and y {y.shape}"
            )
        self.x = x
        self.y = y
        self.batch_size = batch_size
        self.protocol = protocol
        self.features = list(features)
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
    def load(
        cls,
        path: str | Path,
        seed: int,
        batch_size: int,
        protocol: ProtocolSpec = HARNESS,
        features: Sequence[str] = (),
    ) -> RowFeed:
        """Read an npz file with arrays X (float32 [n, f]) and y (int64 [n] class indices)."""
        try:
            with np.load(path) as data:
                x = np.asarray(data["X"], dtype=np.float32)
                y = np.asarray(data["y"], dtype=np.int64)
        except (OSError, KeyError, ValueError) as exc:
            raise HarnessError(f"load: cannot read held-out file {path}: {exc}") from None
        return cls(x, y, seed, batch_size, protocol, features)

    def rows_for(self, i: int) -> list[int]:
        """Return the row indices request number `i` sends."""
        n = len(self.order)
        start = i * self.batch_size
        return [int(self.order[(start + k) % n]) for k in range(self.batch_size)]

    def request(self, i: int, t_planned: float = 0.0) -> Outgoing:
        """Build request `i`, planned at `t_planned` s, encoded in the protocol."""
        rows = self.rows_for(i)
        corruption, x = self.source_at(t_planned)
        enc = self.protocol.encode(x[rows], self.features)
        return Outgoing(enc.body, int(self.y[rows[0]]), rows[0], corruption, enc.path, enc.headers)


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


class ClassMap:
    """Raw predictions to indices into `classes`: a value not among them is UNKNOWN_CLASS.

    A scalar is a class value (1, 1.0 and "1" are class 1 when 1 is a class); a list of numbers
    is a probability vector whose argmax is the index.
    """

    def __init__(self, classes: Sequence[int | str]) -> None:
        self.size = len(classes)
        self._index: dict[Any, int] = {}
        for i, c in enumerate(classes):
            self._index.setdefault(c, i)
        self._by_text = {str(c): i for i, c in reversed(list(enumerate(classes)))}

    def index(self, raw: Any) -> int:
        """The class index of one raw prediction."""
        if isinstance(raw, list):
            best = max(range(len(raw)), key=raw.__getitem__) if raw else UNKNOWN_CLASS
            return best if best < self.size else UNKNOWN_CLASS
        found = self._index.get(raw)
        if found is None:
            found = self._by_text.get(str(raw), UNKNOWN_CLASS)
        return found


class ReplyReader:
    """Judge answers in the service's protocol; where they were served comes from the headers."""

    def __init__(
        self,
        protocol: ProtocolSpec = HARNESS,
        classes: Sequence[int | str] = (0, 1),
        batch_size: int = 1,
    ) -> None:
        self.protocol = protocol
        self.classes = ClassMap(classes)
        self.batch_size = batch_size
        self._body_meta = protocol.kind == "harness"  # our gateway also merges them in the body

    def read(self, status: int, content: bytes | None, headers: Any = None) -> Reply:
        """Ok only for an answer the protocol decodes to batch_size predictions."""
        region = _header(headers, REGION_HEADER)
        instance = _header(headers, INSTANCE_HEADER)
        try:
            decoded = self.protocol.decode(status, content or b"", self.batch_size)
        except DecodeError as exc:
            error = exc.reason if status != 200 else f"malformed reply: {exc.reason}"
            meta = _body_meta(content) if self._body_meta else {}
            return Reply(
                ok=False,
                status=status,
                region=region or meta.get("region"),
                instance=instance or meta.get("instance"),
                model_version=meta.get("model_version"),
                error=error[:ERROR_TEXT_MAX],
            )
        return Reply(
            ok=True,
            status=status,
            predicted=self.classes.index(decoded.predictions[0]),
            region=region or decoded.extra.get("region"),
            instance=instance or decoded.extra.get("instance"),
            model_version=decoded.model_version,
        )


def read_reply(status: int, content: bytes | None, batch_size: int, headers: Any = None) -> Reply:
    """Judge an answer of our own protocol (classes 0 and 1)."""
    return ReplyReader(HARNESS, (0, 1), batch_size).read(status, content, headers)


def _header(headers: Any, name: str) -> str | None:
    value = headers.get(name) if headers is not None else None
    return value if isinstance(value, str) and value else None


def _body_meta(content: bytes | None) -> dict[str, str]:
    """region, instance and model_version of a JSON object body (the gateway's own 503s too)."""
    try:
        body = json.loads(content) if content else None
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    keys = ("region", "instance", "model_version")
    return {k: body[k] for k in keys if isinstance(body.get(k), str)}


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
