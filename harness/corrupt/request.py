"""A corruption asked for, in the terms of this library: what the code applying it is handed."""

from __future__ import annotations

from dataclasses import dataclass

from harness.corrupt.base import CORRUPTIONS, ROW_FRACTION, Target


def severity_share(severity: int, fraction: float | None = None) -> float:
    """The share of rows, lines or objects to corrupt: `fraction` if given, else the severity's own.

    The severity's own share is the shared ladder of the row-based kinds (`ROW_FRACTION`), so a
    bytes corruption picks as many records on ingest as at rest at the same severity.
    """
    return fraction if fraction is not None else ROW_FRACTION[severity]


@dataclass(frozen=True)
class CorruptionRequest:
    """Corrupt with `kind` at `severity`; `fraction`, `columns` and `mechanism` as the kind takes them."""

    kind: str
    severity: int = 3
    fraction: float | None = None
    columns: tuple[str, ...] | None = None
    mechanism: str = "MCAR"

    @property
    def target(self) -> Target:
        """Whether the kind corrupts frames or bytes."""
        return CORRUPTIONS.get(self.kind).target

    @property
    def share(self) -> float:
        """The share of rows, lines or objects this request touches."""
        return severity_share(self.severity, self.fraction)
