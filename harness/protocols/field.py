"""The `protocol:` field: a protocol's name, or a mapping with `kind` and its settings."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Union

from pydantic import Field, GetCoreSchemaHandler, GetJsonSchemaHandler, TypeAdapter
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from harness.protocols import PROTOCOLS, ProtocolSpec


class OfItsProtocol:
    """Validates as the spec of the protocol it names (looked up in PROTOCOLS right then)."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(_validate)

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        union = handler(_union_of(_specs()).core_schema)
        return {"anyOf": [{"enum": PROTOCOLS.kinds()}, union]}


def _validate(value: Any) -> ProtocolSpec:
    if isinstance(value, ProtocolSpec):
        return value
    if isinstance(value, str):  # the shorthand: `protocol: mlflow`
        value = {"kind": value}
    kind = value.get("kind") if isinstance(value, dict) else None
    if isinstance(kind, str) and kind not in PROTOCOLS:
        # Said here: the loader drops pydantic's own union-tag error for a better one.
        raise ValueError(PROTOCOLS.unknown_message(kind))
    spec: ProtocolSpec = _union_of(_specs()).validate_python(value)
    return spec


def parse_protocol(value: Any) -> ProtocolSpec:
    """A protocol spec from its name or its settings (a LoadSpec's `protocol` dict)."""
    return _validate(value)


def _specs() -> tuple[type[ProtocolSpec], ...]:
    return tuple(cls for _, cls in PROTOCOLS.items())


@cache
def _union_of(specs: tuple[type[ProtocolSpec], ...]) -> TypeAdapter[Any]:
    union: Any = Annotated[Union[specs], Field(discriminator="kind")]  # noqa: UP007
    return TypeAdapter(union)


ProtocolField = Annotated[ProtocolSpec, OfItsProtocol()]
