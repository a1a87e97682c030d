"""The protocol registry: how requests and answers are encoded for an inference service.

Each protocol is one module of harness/protocols/, a pydantic spec (its YAML settings, `kind`
a Literal) registered with `@register_protocol`, the same pattern as faults. A spec encodes a
batch of held-out rows into one HTTP request (`encode`) and decodes the answer into one raw
prediction per row (`decode`); the load maps raw predictions to class indices.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

from harness.registry import Registry, spec_kind
from harness.scenario.types import StrictModel

JSON_HEADERS: Mapping[str, str] = {"Content-Type": "application/json", "Accept": "application/json"}
ANSWER_EXCERPT = 300  # characters of an answer quoted in a reason


class DecodeError(ValueError):
    """An answer that does not decode in the protocol; `reason` says why, for a sample's error."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Encoded(NamedTuple):
    """One request: the path (with any query) on the gateway, its body and its headers."""

    path: str
    body: bytes
    headers: Mapping[str, str]


@dataclass(frozen=True)
class Decoded:
    """One answer: a raw prediction per row (a class value, or a probability vector)."""

    predictions: list[Any]
    model_version: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class ProtocolSpec(StrictModel):
    """The settings of one protocol; each protocol subclasses this with `kind: Literal[...]`."""

    kind: str
    health_path: ClassVar[str] = "/readyz"  # what the gateway probes unless `health.path` says

    def default_health_path(self) -> str:
        """The health path of a server speaking this protocol."""
        return self.health_path

    def request_path(self) -> str:
        """The path (and query) requests go to; the gateway forwards it unchanged."""
        raise NotImplementedError

    def encode(self, rows: npt.NDArray[np.float32], features: Sequence[str]) -> Encoded:
        """Encode `rows` (float32 [n, f]; `features` names the f columns) as one request."""
        raise NotImplementedError

    def decode(self, status: int, body: bytes, n_rows: int) -> Decoded:
        """Decode an answer to `n_rows` raw predictions; DecodeError(reason) when it does not."""
        raise NotImplementedError


PROTOCOLS: Registry[type[ProtocolSpec]] = Registry("protocol")

P = TypeVar("P", bound=type[ProtocolSpec])


def register_protocol(cls: P) -> P:
    """Class decorator: register a protocol spec under the name its `kind` Literal gives."""
    PROTOCOLS.register(spec_kind(cls))(cls)
    return cls


# Helpers the protocols share: every reason reads as what a user would look for in the answer.


def excerpt(body: bytes) -> str:
    """The start of an answer body as text, for a reason or a hint."""
    text = body.decode("utf-8", "replace").strip()
    return text[:ANSWER_EXCERPT] + ("..." if len(text) > ANSWER_EXCERPT else "")


def check_status(status: int, body: bytes) -> None:
    """DecodeError for anything but HTTP 200, quoting the answer (its `error` when JSON)."""
    if status == 200:
        return
    text = excerpt(body)
    try:
        doc = json.loads(body)
        if isinstance(doc, dict) and "error" in doc:
            text = str(doc["error"])[:ANSWER_EXCERPT]
    except ValueError:
        pass
    raise DecodeError(f"HTTP {status}: {text}" if text else f"HTTP {status}")


def parse_json(body: bytes) -> Any:
    """The answer as JSON; DecodeError quoting it when it is not."""
    try:
        return json.loads(body)
    except ValueError:
        raise DecodeError(f"answer is not JSON: {excerpt(body)!r}") from None


def key(doc: Any, name: str, where: str = "answer") -> Any:
    """`doc[name]` of a JSON object; DecodeError naming the key (and the keys there) otherwise."""
    if not isinstance(doc, dict):
        raise DecodeError(f"{where} is not a JSON object but {type_name(doc)}")
    if name not in doc:
        keys = ", ".join(map(repr, list(doc)[:10])) or "none"
        raise DecodeError(f"{where} has no {name!r} (keys: {keys})")
    return doc[name]


def type_name(value: Any) -> str:
    """A JSON type's name as a user reads it."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number" if isinstance(value, (int, float)) else "?")


def predictions_of(values: Any, n_rows: int, where: str) -> list[Any]:
    """Check `values` is a list of `n_rows` predictions, each a class value or probability vector."""
    if not isinstance(values, list):
        raise DecodeError(f"{where} is {type_name(values)}, not a list")
    if len(values) != n_rows:
        raise DecodeError(f"{where} holds {len(values)} prediction(s) for {n_rows} row(s)")
    return [prediction(v, f"{where}[{i}]") for i, v in enumerate(values)]


def prediction(value: Any, where: str) -> Any:
    """One row's prediction: a scalar is the class value, a list of numbers a probability vector.

    A one-element list is its element (a model with one output column per row).
    """
    if isinstance(value, (int, float, str, bool)):
        return value
    if isinstance(value, list) and value and all(_number(v) for v in value):
        return value[0] if len(value) == 1 else value
    raise DecodeError(
        f"{where} is {type_name(value)} {json.dumps(value)[:80]}: expected a class value "
        "or a list of class probabilities"
    )


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def dumps(value: Any) -> bytes:
    """Compact JSON bytes."""
    return json.dumps(value, separators=(",", ":")).encode()
