"""One request's outcome (a sample), and its CSV form in the run folder."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import IO, Any


@dataclass(frozen=True)
class Sample:
    """One request of the load generator; times are seconds since run start."""

    t_start: float
    t_end: float
    ok: bool
    status: int
    latency_ms: float
    region: str | None = None
    instance: str | None = None
    predicted: int | None = None
    label: int | None = None
    correct: bool | None = None
    model_version: str | None = None
    error: str | None = None
    request: int | None = None  # index i of the schedule
    row: int | None = None  # held-out index of the request's first row (what drift scores read)
    corruption: str | None = None  # the serving corruption (fault name) its rows carried, or None

    def to_json(self) -> str:
        """Encode as one JSON line (the worker → harness stream format)."""
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Sample:
        """Build from a decoded JSON object, ignoring unknown keys."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


FIELDNAMES = [f.name for f in fields(Sample)]


class SampleCsvWriter:
    """Append samples to a CSV file as they arrive (flushed, so a crash loses little)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[str] = path.open("w", newline="")
        self._writer = csv.DictWriter(self._fh, fieldnames=FIELDNAMES)
        self._writer.writeheader()

    def write(self, sample: Sample) -> None:
        """Append one sample."""
        self._writer.writerow(asdict(sample))
        self._fh.flush()

    def close(self) -> None:
        """Close the file."""
        self._fh.close()


def read_samples_csv(path: Path) -> list[Sample]:
    """Read a samples CSV written by SampleCsvWriter."""
    with path.open(newline="") as fh:
        return [_parse_row(row) for row in csv.DictReader(fh)]


def _parse_row(row: dict[str, str]) -> Sample:
    def opt(key: str) -> str | None:
        return row.get(key) or None  # .get: a CSV of an older run lacks the newer columns

    def opt_int(key: str) -> int | None:
        return int(row[key]) if row.get(key) else None

    def opt_bool(key: str) -> bool | None:
        return row[key] == "True" if row[key] else None

    return Sample(
        t_start=float(row["t_start"]),
        t_end=float(row["t_end"]),
        ok=row["ok"] == "True",
        status=int(row["status"]),
        latency_ms=float(row["latency_ms"]),
        region=opt("region"),
        instance=opt("instance"),
        predicted=opt_int("predicted"),
        label=opt_int("label"),
        correct=opt_bool("correct"),
        model_version=opt("model_version"),
        error=opt("error"),
        request=opt_int("request"),
        row=opt_int("row"),
        corruption=opt("corruption"),
    )
