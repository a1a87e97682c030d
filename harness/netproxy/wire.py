"""JSON bodies of the HTTP API: decoding with Go's rules, and the response shapes."""

from __future__ import annotations

import json
import math
import struct
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, StrictBool, StrictStr, ValidationError

from harness.netproxy.errors import bad_body
from harness.netproxy.proxy import Proxy
from harness.netproxy.toxic_set import ToxicSpec

M = TypeVar("M", bound=BaseModel)


class ProxyBody(BaseModel):
    """A create, update or populate entry; None means "not given" (null is the default)."""

    model_config = ConfigDict(extra="ignore")

    name: StrictStr | None = None
    listen: StrictStr | None = None
    upstream: StrictStr | None = None
    enabled: StrictBool | None = None


class ToxicBody(BaseModel):
    """A toxic create or update body; attributes are checked later against the toxic type."""

    model_config = ConfigDict(extra="ignore")

    name: StrictStr | None = None
    type: StrictStr | None = None
    stream: StrictStr | None = None
    toxicity: float | None = None
    attributes: dict[str, Any] | None = None


def parse_json(raw: bytes) -> Any:
    """Decode the first JSON value of `raw` like Go's json.Decoder (trailing data ignored)."""
    text = raw.decode("utf-8", errors="replace").lstrip()
    if not text:
        raise bad_body("EOF")
    try:
        value, _ = json.JSONDecoder(parse_constant=_reject_constant).raw_decode(text)
    except ValueError as exc:
        raise bad_body(str(exc)) from None
    return value


def decode(model: type[M], value: Any) -> M:
    """Validate one decoded object into `model`, matching keys case-insensitively."""
    if value is None:
        value = {}  # Go decodes `null` into a struct as "nothing given"
    if not isinstance(value, dict):
        raise bad_body(f"json: cannot unmarshal {_json_type(value)} into an object")
    try:
        return model.model_validate(fold_keys(value))
    except ValidationError as exc:
        raise bad_body(validation_message(exc)) from None


def decode_list(model: type[M], value: Any) -> list[M]:
    """Validate a JSON array of objects into a list of `model`."""
    if not isinstance(value, list):
        raise bad_body(f"json: cannot unmarshal {_json_type(value)} into an array")
    return [decode(model, item) for item in value]


def fold_keys(obj: dict[str, Any]) -> dict[str, Any]:
    """Lower-case keys (Go matches them case-insensitively); an exact lower-case key wins."""
    folded = {k.lower(): v for k, v in obj.items() if k != k.lower()}
    folded.update({k: v for k, v in obj.items() if k == k.lower()})
    attrs = folded.get("attributes")
    if isinstance(attrs, dict):
        folded["attributes"] = fold_keys(attrs)
    return folded


def validation_message(exc: ValidationError, prefix: str = "") -> str:
    """Summarise a pydantic error as `json: field <loc>: <msg>` (first error only)."""
    err = exc.errors()[0]
    loc = ".".join(str(part) for part in err["loc"]) or "body"
    return f"json: field {prefix}{loc}: {err['msg']}"


def render_proxy(proxy: Proxy) -> dict[str, Any]:
    """Return the Proxy object shape; `toxics` is always a list, upstream ones first."""
    return {
        "name": proxy.name,
        "listen": proxy.listen,
        "upstream": proxy.upstream,
        "enabled": proxy.enabled,
        "toxics": [render_toxic(spec) for spec in proxy.toxics.all()],
    }


def render_toxic(spec: ToxicSpec) -> dict[str, Any]:
    """Return the Toxic object shape, with every attribute of its type."""
    return {
        "attributes": spec.attributes.model_dump(),
        "name": spec.name,
        "type": spec.type,
        "stream": spec.stream,
        "toxicity": float32_json(spec.toxicity),
    }


def dumps(value: Any) -> bytes:
    """Encode compactly, as Go's json.Marshal does."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def float32_json(value: float) -> float | int:
    """Render `value` as Go renders a float32: shortest round-trip digits, `1` not `1.0`."""
    try:
        f32 = _to_float32(value)
    except OverflowError:
        return value
    if math.isfinite(f32) and f32.is_integer():
        return int(f32)
    for digits in range(1, 10):
        short = float(f"{f32:.{digits}g}")
        if _to_float32(short) == f32:
            return short
    return f32


def _to_float32(value: float) -> float:
    return float(struct.unpack("f", struct.pack("f", value))[0])


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid character '{name[0]}' looking for beginning of value")


def _json_type(value: Any) -> str:
    names = {list: "array", str: "string", bool: "bool", type(None): "null", dict: "object"}
    return names.get(type(value), "number")
