"""YAML parsed into plain data plus the line and column of every key and value."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.errors import HarnessError, Location, ScenarioError

YamlPath = tuple[str | int, ...]
_MERGE = "tag:yaml.org,2002:merge"  # `<<:` merge key


@dataclass
class YamlSource:
    """A parsed YAML document and where each of its nodes sits in the file."""

    file: str
    data: Any
    value_marks: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    text: str = ""  # the text parsed: what the run ran, even if the file changes meanwhile

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
        raw = path.read_bytes()
    except OSError as exc:
        raise HarnessError(
            f"cannot read scenario: {exc.strerror}", location=Location(str(path))
        ) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        loc = Location(str(path), line, col)
        raise ScenarioError(
            [HarnessError("invalid YAML: the file is not UTF-8", location=loc)]
        ) from exc
    return parse_yaml(text, str(path))


def parse_yaml(text: str, file: str) -> YamlSource:
    """Parse YAML text named `file` (used in error locations)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file, 1)
        problem = exc.problem or exc.context
        raise ScenarioError([HarnessError(f"invalid YAML: {problem}", location=loc)]) from exc
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow; no mark
        raise ScenarioError([_reader_error(exc, text, file)]) from exc
    source = YamlSource(file, None, text=text)
    if node is None:
        return source
    errors: list[HarnessError] = []
    source.data = _build(node, (), source, errors)
    if errors:
        raise ScenarioError(errors)
    return source


def _reader_error(exc: yaml.reader.ReaderError, text: str, file: str) -> HarnessError:
    line = text.count("\n", 0, exc.position) + 1
    col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return HarnessError(
        f"invalid YAML: unacceptable character #x{ord(char):04x}: {exc.reason}",
        location=Location(file, line, col),
    )


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _build(node: yaml.Node, path: YamlPath, src: YamlSource, errors: list[HarnessError]) -> Any:
    src.value_marks[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        return _build_mapping(node, path, src, errors)
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, (*path, i), src, errors) for i, child in enumerate(node.value)]
    return _scalar(node, src, errors)


def _scalar(node: yaml.Node, src: YamlSource, errors: list[HarnessError]) -> Any:
    """The node's value; a tag the safe loader refuses or cannot apply is a located error."""
    try:
        return yaml.SafeLoader(" ").construct_object(node)
    except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError for '!!float x'
        problem = exc.problem if isinstance(exc, yaml.MarkedYAMLError) else str(exc)
        errors.append(
            HarnessError(
                f"invalid YAML value: {problem}",
                location=Location(src.file, *_mark(node)),
                hint="write a plain value, without a tag",
            )
        )
        return None


def _build_mapping(
    node: yaml.MappingNode, path: YamlPath, src: YamlSource, errors: list[HarnessError]
) -> dict[Any, Any]:
    merges = [v for k, v in node.value if k.tag == _MERGE]
    merged = _merged(merges, path, src, errors)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE:
            continue
        if not isinstance(key_node, yaml.ScalarNode):
            what = "a list" if isinstance(key_node, yaml.SequenceNode) else "a mapping"
            loc = Location(src.file, *_mark(key_node))
            errors.append(HarnessError(f"a key must be a name, not {what}", location=loc))
            continue
        found = len(errors)
        key = _scalar(key_node, src, errors)
        if len(errors) > found:  # the key itself was refused
            continue
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
        if key in merged:  # a key of its own wins: forget where the merged value was
            _forget(src, (*path, key))
        src.key_marks[(*path, key)] = _mark(key_node)
        out[key] = _build(value_node, (*path, key), src, errors)
    return {**merged, **out}


def _merged(
    values: list[yaml.Node], path: YamlPath, src: YamlSource, errors: list[HarnessError]
) -> dict[Any, Any]:
    """The keys brought in by `<<:` merge keys; an earlier mapping wins over a later one."""
    nodes: list[yaml.Node] = []
    for value in values:
        nodes += value.value if isinstance(value, yaml.SequenceNode) else [value]
    out: dict[Any, Any] = {}
    for item in reversed(nodes):
        if isinstance(item, yaml.MappingNode):
            out.update(_build_mapping(item, path, src, errors))
            continue
        errors.append(
            HarnessError(
                "a merge key (<<) takes a mapping or a list of mappings",
                location=Location(src.file, *_mark(item)),
                hint="anchor a mapping (&name {...}) and merge it with <<: *name",
            )
        )
    return out


def _forget(src: YamlSource, prefix: YamlPath) -> None:
    for marks in (src.key_marks, src.value_marks):
        for path in [p for p in marks if p[: len(prefix)] == prefix]:
            del marks[path]
