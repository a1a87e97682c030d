"""Record validation (docs/pipeline.md "Ingest validation"): one verdict per NDJSON line."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from targets.model.dataset import FEATURES

__all__ = [
    "FEATURE_NAMES",
    "LABEL",
    "Rejected",
    "Validated",
    "Validator",
    "reason_kind",
    "to_jsonl",
]

FEATURE_NAMES: tuple[str, ...] = tuple(name for name, _, _ in FEATURES)
LABEL = "label"
FIELDS: tuple[str, ...] = ("id", "ts", LABEL, *FEATURE_NAMES)
_KNOWN = frozenset(FIELDS)


@dataclass(frozen=True)
class Rejected:
    """One quarantined line: its 1-based number, the record id if readable, why, and the text."""

    line: int
    id: str | None
    reason: str
    raw: str

    def reply(self) -> dict[str, Any]:
        """The entry of the ingest reply's `quarantined` list."""
        return {"line": self.line, "id": self.id, "reason": self.reason}

    def stored(self) -> dict[str, Any]:
        """The line of the quarantine object."""
        return {"line": self.line, "reason": self.reason, "raw": self.raw}


@dataclass
class Validated:
    """A request body split into accepted records (first of each id) and rejected lines."""

    accepted: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    quarantined: list[bool] = field(default_factory=list)  # per non-blank line, in body order

    @property
    def ids(self) -> list[str]:
        """The accepted ids, in body order."""
        return [str(rec["id"]) for rec in self.accepted]


def reason_kind(reason: str) -> str:
    """The part of a reason before ':' (`missing_field:amount` → `missing_field`)."""
    return reason.split(":", 1)[0]


def to_jsonl(rows: list[dict[str, Any]]) -> bytes:
    """One compact JSON object per line, each line ending in a newline."""
    return b"".join(json.dumps(row, separators=(",", ":")).encode() + b"\n" for row in rows)


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)  # bool is an int subclass, and it is not a number here


def _field_problem(name: str, value: Any) -> str | None:
    """missing/null/wrong_type of one field, None when it has the right type."""
    if value is None:
        return f"null:{name}"
    if name == "id":
        return None if isinstance(value, str) else f"wrong_type:{name}"
    if name == "label":
        return None if type(value) is int else f"wrong_type:{name}"
    if not _is_number(value):
        return f"wrong_type:{name}"
    # An int is always finite (and math.isfinite overflows on a huge one).
    return None if type(value) is int or math.isfinite(value) else f"null:{name}"


class Validator:
    """Check lines against the schema and the reference profile's widened feature ranges."""

    def __init__(self, profile: dict[str, Any]) -> None:
        margin = float(profile.get("margin_std", 0.0))
        self.ranges = {
            f["name"]: (f["min"] - margin * f["std"], f["max"] + margin * f["std"])
            for f in profile["features"]
        }

    def problem(self, record: Any) -> str | None:
        """Return the first reason `record` must be quarantined, None when it is valid."""
        if not isinstance(record, dict):
            return "not_an_object"
        unknown = sorted(k for k in record if k not in _KNOWN)
        if unknown:
            return f"unknown_field:{unknown[0]}"
        for name in FIELDS:
            if name not in record:
                return f"missing_field:{name}"
            found = _field_problem(name, record[name])
            if found:
                return found
        if record["label"] not in (0, 1):
            return "label_out_of_range"
        for name in FEATURE_NAMES:
            low, high = self.ranges.get(name, (-math.inf, math.inf))
            if not low <= record[name] <= high:
                return f"out_of_range:{name}"
        return None

    def check_line(self, number: int, line: bytes) -> dict[str, Any] | Rejected:
        """Return the record of a valid line, else why it is rejected (never raises)."""
        raw = line.decode("utf-8", "replace")
        try:
            record = json.loads(line.decode("utf-8"))
        except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested past the stack
            return Rejected(number, None, "unparseable", raw)
        try:
            reason = self.problem(record)
        except Exception:  # a bug here must cost one line, never the request
            reason = "unparseable"
        if reason is None:
            return dict(record)
        rid = record.get("id") if isinstance(record, dict) else None
        return Rejected(number, rid if isinstance(rid, str) else None, reason, raw)

    def validate(self, body: bytes) -> Validated:
        """Validate every non-blank line of an NDJSON body; a repeated id is accepted once."""
        out, seen = Validated(), set[str]()
        for number, line in enumerate(body.split(b"\n"), start=1):
            if not line.strip():
                continue
            verdict = self.check_line(number, line.strip())
            if not isinstance(verdict, Rejected) and verdict["id"] in seen:
                raw = line.strip().decode("utf-8", "replace")
                verdict = Rejected(number, verdict["id"], "duplicate_in_batch", raw)
            out.quarantined.append(isinstance(verdict, Rejected))
            if isinstance(verdict, Rejected):
                out.rejected.append(verdict)
            else:
                seen.add(verdict["id"])
                out.accepted.append(verdict)
        return out
