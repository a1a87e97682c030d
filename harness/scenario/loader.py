"""Load a scenario file: YAML → typed Scenario, every error reported at once with its place."""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from harness.errors import HarnessError, ScenarioError, did_you_mean
from harness.faults import FAULTS
from harness.scenario.checks import check_scenario
from harness.scenario.model import Scenario
from harness.scenario.paths import BASE_DIR
from harness.scenario.yaml_source import YamlPath, YamlSource, read_yaml

_SKIPPED_TYPES = {"union_tag_invalid", "union_tag_not_found"}
_CONSEQUENCE = "cannot be checked"


def load_scenario(path: Path) -> tuple[Scenario, YamlSource]:
    """Read and validate a scenario; raise ScenarioError listing every problem found."""
    source = read_yaml(path)
    if not isinstance(source.data, dict):
        loc = source.location(())
        raise ScenarioError(
            [
                HarnessError(
                    "a scenario must be a YAML mapping",
                    location=loc,
                    hint="start with 'name:', 'stack:', 'load:'",
                )
            ]
        )
    errors = _check_fault_kinds(source)
    try:
        scenario = Scenario.model_validate(source.data, context={BASE_DIR: path.parent.resolve()})
    except ValidationError as exc:
        errors += [_convert(err, source) for err in exc.errors() if not _skipped(err)]
        raise ScenarioError(errors) from None
    errors += [
        HarnessError(msg, location=source.location(p), hint=hint)
        for p, msg, hint in check_scenario(scenario)
    ]
    if errors:
        raise ScenarioError(errors)
    return scenario, source


def _skipped(err: Any) -> bool:
    """Errors already reported in a better form, or consequences of another error."""
    return err["type"] in _SKIPPED_TYPES or _CONSEQUENCE in str(err["msg"])


def _check_fault_kinds(source: YamlSource) -> list[HarnessError]:
    faults = source.data.get("faults")
    if not isinstance(faults, list):
        return []
    errors = [_check_kind(item, i, source) for i, item in enumerate(faults)]
    return [e for e in errors if e is not None]


def _check_kind(item: Any, i: int, source: YamlSource) -> HarnessError | None:
    """The fault's `kind` picks its model: say what is wrong with it before pydantic does."""
    if not isinstance(item, dict):
        return None
    known = f"known kinds: {', '.join(FAULTS.kinds())}"
    if "kind" not in item:
        return HarnessError(
            "fault has no 'kind'", location=source.location(("faults", i)), hint=known
        )
    kind = item["kind"]
    loc = source.location(("faults", i, "kind"))
    if not isinstance(kind, str):
        return HarnessError(
            "a fault kind is a name, e.g. 'region_outage'", location=loc, hint=known
        )
    return None if kind in FAULTS else HarnessError(FAULTS.unknown_message(kind), location=loc)


def _convert(err: Any, source: YamlSource) -> HarnessError:
    path = _yaml_path(err["loc"], source.data)
    where = ".".join(str(p) for p in path)
    if err["type"] == "extra_forbidden":
        known = _known_keys(err["loc"][:-1])
        return HarnessError(
            f"unknown key {path[-1]!r}",
            location=source.location(path, key=True),
            hint=_did_you_mean(str(path[-1]), known),
        )
    if err["type"] == "missing":
        key = err["loc"][-1]
        parent = path[:-1] if path and path[-1] == key else path
        return HarnessError(
            f"missing required key {key!r}"
            + (f" in {'.'.join(map(str, parent))}" if parent else ""),
            location=source.location(parent),
        )
    message = str(err["msg"]).removeprefix("Value error, ")
    hint = None
    if err["type"] == "literal_error":
        hint = _did_you_mean(str(err["input"]), re.findall(r"'([^']*)'", err["ctx"]["expected"]))
    return HarnessError(
        f"{where}: {message}" if where else message, location=source.location(path), hint=hint
    )


def _yaml_path(loc: tuple[Any, ...], data: Any) -> YamlPath:
    """Drop the parts of a pydantic `loc` that are not in the YAML (union tags)."""
    path: list[str | int] = []
    node = data
    tagged: Any = None  # the node whose union tag was dropped (a kind may share a field's name)
    for part in loc:
        if isinstance(node, dict) and node.get("kind") == part and tagged is not node:
            tagged = node
            continue
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            node = node[part]
        else:
            path.append(part)
            break
        path.append(part)
    return tuple(path)


def _known_keys(loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model found at `loc` in the Scenario model."""
    model: Any = Scenario
    for part in loc:
        model = _step(model, part)
        if model is None:
            return []
    return list(model.model_fields) if _is_model(model) else []


def _step(model: Any, part: Any) -> Any:
    if _is_model(model) and part in model.model_fields:
        return _unwrap(model.model_fields[part].annotation)
    if isinstance(part, int):
        return model
    if isinstance(part, str) and part in FAULTS:
        return FAULTS.get(part).Spec
    return None


def _unwrap(annotation: Any) -> Any:
    """Peel list[...] / Optional[...] / Annotated[...] down to a model class if there is one."""
    for arg in (annotation, *typing.get_args(annotation)):
        if _is_model(arg):
            return arg
        inner = typing.get_args(arg)
        if inner and any(_is_model(a) for a in inner):
            return next(a for a in inner if _is_model(a))
    return annotation


def _is_model(obj: Any) -> bool:
    return isinstance(obj, type) and issubclass(obj, BaseModel)


def _did_you_mean(key: str, known: list[str]) -> str | None:
    close = did_you_mean(key, known)
    if close:
        return close
    return f"known keys here: {', '.join(known)}" if known else None
