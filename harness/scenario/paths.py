"""Paths written in a scenario: relative ones are relative to the scenario file's folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, ValidationInfo, WithJsonSchema

BASE_DIR = "base_dir"  # the validation context key the loader sets to the file's folder


def _resolve(path: Path, info: ValidationInfo) -> Path:
    """Absolute: as written; relative: under the scenario's folder (the cwd without a file)."""
    path = path.expanduser()
    if path.is_absolute():
        return path
    base = (info.context or {}).get(BASE_DIR)
    return (Path(base) if base is not None else Path.cwd()) / path


ScenarioPath = Annotated[
    Path,
    AfterValidator(_resolve),
    WithJsonSchema({"type": "string", "description": "relative to the scenario file's folder"}),
]
