"""The results.json writer and reader."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from harness.errors import HarnessError, Location
from harness.report._atomic import write_text_atomic
from harness.results import SCHEMA_VERSION, Results

FILENAME = "results.json"


def write(results: Results, out_dir: Path) -> Path:
    """Write `results` to out_dir/results.json, pretty-printed, atomically."""
    return write_text_atomic(Path(out_dir) / FILENAME, results.model_dump_json(indent=2) + "\n")


def read(path: Path | str) -> Results:
    """Read a results.json; a missing, malformed or newer-schema file raises HarnessError."""
    path = Path(path)
    try:
        results = Results.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise HarnessError(
            f"cannot read results: {exc.strerror}", location=Location(str(path))
        ) from None
    except ValidationError as exc:
        raise HarnessError(
            f"not a valid results.json ({exc.error_count()} errors): {exc.errors()[0]['msg']}",
            location=Location(str(path)),
            hint="was it written by a different harness version?",
        ) from None
    if results.schema_version > SCHEMA_VERSION:
        raise HarnessError(
            f"results schema_version {results.schema_version} is newer than "
            f"this harness reads ({SCHEMA_VERSION})",
            location=Location(str(path)),
            hint="upgrade the harness",
        )
    return results
