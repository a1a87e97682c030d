"""Turn decoded API bodies into proxy configs and toxic specs, in Toxiproxy's check order."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from harness.errors import did_you_mean
from harness.netproxy import errors
from harness.netproxy.collection import ProxyConfig
from harness.netproxy.errors import ApiError, bad_body, missing_field
from harness.netproxy.proxy import Proxy
from harness.netproxy.toxic_set import ToxicSet, ToxicSpec, parse_stream
from harness.netproxy.toxics import TOXICS, Toxic, ToxicAttributes
from harness.netproxy.wire import ProxyBody, ToxicBody, validation_message


def proxy_config(body: ProxyBody, where: str = "") -> ProxyConfig:
    """Check the required fields of a create or populate entry; a missing listen is `""`."""
    if not body.name:
        raise missing_field(f"name{where}")
    if not body.upstream:
        raise missing_field(f"upstream{where}")
    enabled = True if body.enabled is None else body.enabled
    return ProxyConfig(body.name, body.listen or "", body.upstream, enabled)


def merged_update(proxy: Proxy, body: ProxyBody) -> tuple[str, str, bool]:
    """Merge an update body over the proxy's listen, upstream and enabled; name is ignored."""
    listen = proxy.listen if body.listen is None else body.listen
    upstream = proxy.upstream if body.upstream is None else body.upstream
    enabled = proxy.enabled if body.enabled is None else body.enabled
    return listen, upstream, enabled


def new_toxic(body: ToxicBody, existing: ToxicSet) -> ToxicSpec:
    """Build a spec: stream, default name, type, duplicate name, then attributes (400/409)."""
    stream = "downstream" if body.stream is None else body.stream
    direction = parse_stream(stream)
    kind = body.type or ""
    name = body.name or f"{kind}_{stream}"
    if kind not in TOXICS:
        raise ApiError(errors.INVALID_TOXIC_TYPE, 400)
    if existing.has(name):
        raise ApiError(errors.EXISTS_TOXIC, 409)
    toxic_cls = TOXICS.get(kind)
    attrs = attributes(toxic_cls, {}, body.attributes)
    toxicity = 1.0 if body.toxicity is None else body.toxicity
    return ToxicSpec(name, kind, stream, direction, toxicity, attrs, toxic_cls(attrs))


def updated_toxic(spec: ToxicSpec, body: ToxicBody) -> ToxicSpec:
    """Merge given attributes and toxicity over `spec`; name, type and stream cannot change."""
    toxic_cls = TOXICS.get(spec.type)
    attrs = attributes(toxic_cls, spec.attributes.model_dump(), body.attributes)
    toxicity = spec.toxicity if body.toxicity is None else body.toxicity
    return ToxicSpec(
        spec.name, spec.type, spec.stream, spec.direction, toxicity, attrs, toxic_cls(attrs)
    )


def attributes(
    toxic_cls: type[Toxic], current: dict[str, Any], given: dict[str, Any] | None
) -> ToxicAttributes:
    """Validate `given` over `current`; null keeps a value, an unknown name is a 400."""
    given = given or {}
    known = list(toxic_cls.Attributes.model_fields)
    for key in given:
        if key not in known:
            raise bad_body(_unknown_attribute(key, known))
    merged = dict(current)
    merged.update({k: v for k, v in given.items() if v is not None})
    try:
        return toxic_cls.Attributes.model_validate(merged)
    except ValidationError as exc:
        raise bad_body(validation_message(exc, "attributes.")) from None


def _unknown_attribute(key: str, known: list[str]) -> str:
    # Deliberate deviation: Toxiproxy silently ignores a misspelt attribute.
    listed = ", ".join(sorted(known)) or "none"
    msg = f"unknown attribute {key!r} (known: {listed})"
    close = did_you_mean(key, known)
    return f"{msg}; {close}" if close else msg
