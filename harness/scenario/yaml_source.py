"""YAML parsed into plain data plus the line and column of every key and value."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.errors import HarnessError, Location, ScenarioError

YamlPath = tuple[str | int, ...]


@dataclass
class YamlSource:
    """A parsed YAML document and where each of its nodes sits in the file."""

    file: str
    data: Any
    value_marks: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)

    def location(self, path: YamlPath, *, key: bool = False) -> Location:
        """The place of `path` (its key when `key`), falling back to the nearest parent."""
        marks = self.key_marks if key else self.value_marks
        for cut in range(len(path), -1, -1):
            mark = marks.get(path[:cut]) or self.value_marks.get(path[:cut])
            if mark:
                return Location(self.file, *mark)
        return Location(self.file, 1, 1)


def read_yaml(path: Path) -> YamlSource:
    """Parse a YAML file; syntax errors and duplicate keys raise ScenarioError with the place."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise HarnessError(
            f"cannot read scenario: {exc.strerror}", location=Location(str(path))
        ) from exc
    return parse_yaml(text, str(path))


def parse_yaml(text: str, file: str) -> YamlSource:
    """Parse YAML text named `file` (used in error locations)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)
        raise ScenarioError([HarnessError(f"invalid YAML: {exc.problem}", location=loc)]) from exc
    source = YamlSource(file, None)
    if node is None:
        return source
    errors: list[HarnessError] = []
    source.data = _build(node, (), source, errors)
    if errors:
        raise ScenarioError(errors)
    return source


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _build(node: yaml.Node, path: YamlPath, src: YamlSource, errors: list[HarnessError]) -> Any:
    src.value_marks[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        return _build_mapping(node, path, src, errors)
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, (*path, i), src, errors) for i, child in enumerate(node.value)]
    return yaml.SafeLoader(" ").construct_object(node)


def _build_mapping(
    node: yaml.MappingNode, path: YamlPath, src: YamlSource, errors: list[HarnessError]
) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = yaml.SafeLoader(" ").construct_object(key_node)
        if key in out:
            loc = Location(src.file, *_mark(key_node))
            errors.append(
                HarnessError(
                    f"duplicate key {key!r}",
                    location=loc,
                    hint="each key may appear once in a mapping",
                )
            )
            continue
        src.key_marks[(*path, key)] = _mark(key_node)
        out[key] = _build(value_node, (*path, key), src, errors)
    return out
