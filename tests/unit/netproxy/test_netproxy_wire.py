"""Body decoding follows Go's encoding/json rules; responses follow Toxiproxy's shapes."""

from __future__ import annotations

import pytest

from harness.netproxy.errors import ApiError
from harness.netproxy.wire import (
    ProxyBody,
    ToxicBody,
    decode,
    decode_list,
    float32_json,
    fold_keys,
    parse_json,
)


def test_empty_body_is_eof() -> None:
    with pytest.raises(ApiError) as err:
        parse_json(b"  \n")
    assert (err.value.status, err.value.message) == (400, "bad request body: EOF")


def test_trailing_data_after_first_value_is_ignored() -> None:
    assert parse_json(b'{"a": 1} trailing') == {"a": 1}


def test_nan_literals_rejected() -> None:
    with pytest.raises(ApiError):
        parse_json(b'{"toxicity": NaN}')


def test_keys_fold_case_exact_lowercase_wins() -> None:
    folded = fold_keys({"Name": "A", "name": "b", "Attributes": {"Rate": 1}})
    assert folded == {"name": "b", "attributes": {"rate": 1}}


def test_unknown_fields_ignored_and_null_is_default() -> None:
    body = decode(ProxyBody, {"NAME": "x", "toxics": [], "Logger": {}, "enabled": None})
    assert body.name == "x" and body.enabled is None
    assert decode(ProxyBody, None) == ProxyBody()


def test_type_mismatch_is_400() -> None:
    with pytest.raises(ApiError, match="bad request body: json: field enabled"):
        decode(ProxyBody, {"enabled": "yes please"})
    with pytest.raises(ApiError, match="cannot unmarshal array"):
        decode(ToxicBody, [1])
    with pytest.raises(ApiError, match="cannot unmarshal object into an array"):
        decode_list(ProxyBody, {})


@pytest.mark.parametrize(
    ("value", "rendered"), [(1.0, 1), (0.5, 0.5), (0.3, 0.3), (0.1, 0.1), (2.0, 2), (0.0, 0)]
)
def test_toxicity_renders_like_go_float32(value: float, rendered: float) -> None:
    out = float32_json(value)
    assert out == rendered and type(out) is type(rendered)
