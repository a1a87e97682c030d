"""The toxic registry and attribute models: defaults, partial merges, unknown attributes."""

from __future__ import annotations

from typing import Any

import pytest

from harness.netproxy.errors import ApiError
from harness.netproxy.specs import new_toxic, updated_toxic
from harness.netproxy.toxic_set import Direction, ToxicSet
from harness.netproxy.toxics import TOXICS
from harness.netproxy.toxics.latency import LatencyToxic
from harness.netproxy.wire import ToxicBody


def build(**body: Any) -> Any:
    return new_toxic(ToxicBody(**body), ToxicSet())


def test_registered_types() -> None:
    assert {"noop", "latency", "timeout"} <= set(TOXICS.kinds())


def test_defaults() -> None:
    spec = build(type="latency")
    assert spec.name == "latency_downstream" and spec.direction is Direction.DOWNSTREAM
    assert spec.toxicity == 1.0
    assert spec.attributes.model_dump() == {"latency": 0, "jitter": 0}


def test_units_converted_once_at_the_boundary() -> None:
    toxic = build(type="latency", attributes={"latency": 250, "jitter": 0}).toxic
    assert isinstance(toxic, LatencyToxic) and toxic.latency_s == 0.25


def test_partial_update_keeps_other_attributes_and_null_keeps_value() -> None:
    spec = build(type="latency", toxicity=0.5, attributes={"latency": 100, "jitter": 10})
    spec = updated_toxic(spec, ToxicBody(attributes={"latency": 200, "jitter": None}))
    assert spec.attributes.model_dump() == {"latency": 200, "jitter": 10}
    assert spec.toxicity == 0.5


def test_unknown_attribute_is_rejected_with_suggestion() -> None:
    with pytest.raises(ApiError, match="did you mean 'timeout'"):
        build(type="timeout", attributes={"timout": 5})


def test_float_attribute_with_fraction_rejected() -> None:
    with pytest.raises(ApiError, match=r"bad request body: json: field attributes\.latency"):
        build(type="latency", attributes={"latency": 1.5})


def test_validation_order_stream_before_type() -> None:
    with pytest.raises(ApiError, match="stream was invalid"):
        build(type="nope", stream="sideways")
    with pytest.raises(ApiError, match="invalid toxic type"):
        build(type="nope", stream="UPSTREAM")


def test_duplicate_name_checked_before_attributes() -> None:
    toxics = ToxicSet()
    toxics.add(new_toxic(ToxicBody(type="noop", name="n"), toxics))
    with pytest.raises(ApiError) as err:
        new_toxic(ToxicBody(type="latency", name="n", attributes={"bogus": 1}), toxics)
    assert err.value.status == 409
