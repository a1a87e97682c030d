"""Fault `corrupt_data`: corrupted serving requests, ingested records, or objects at rest.

- serving: the load generator sends corrupted feature rows in the window (feature skew). The
  rows are corrupted before the run (seeded), and request i is corrupted when its planned send
  time falls in the window, so the harness knows exactly what every request carried.
- ingest: the feed's records are corrupted while the fault lasts (poisoned training data).
- storage: objects at rest in the selected regions' stores: a fraction of the record objects,
  or the model artifact (republished with its old checksum, as bit rot after publishing would).
  Bytes at rest stay corrupted after revert; revert only restores the registry's pointer.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from harness.corrupt import CORRUPTIONS
from harness.corrupt.base import Target as CorruptTarget
from harness.events import DataCorrupted
from harness.faults.base import Fault, FaultContext, register_fault
from harness.pipeline.records import FEATURE_NAMES, LABEL
from harness.scenario.types import CheckContext, FaultSpecBase, SpecIssue

# Kinds that keep a serving request a row of 20 numbers (possibly NaN); others change the shape.
SERVING_KINDS = ("missing_values", "gaussian_noise", "scaling", "swapped_columns")


_TARGET_WORDS = {
    "serving": "serving requests (feature rows sent to the gateway)",
    "ingest": "ingested records (the pipeline's feed)",
    "storage": "objects at rest in the stores",
}


class CorruptDataSpec(FaultSpecBase):
    """Corrupt `fraction` of the data at `target` with `corruption` at `severity` (1..5)."""

    kind: Literal["corrupt_data"]
    target: Literal["serving", "ingest", "storage"] = Field(  # type: ignore[assignment]
        description="serving: requests to the gateway; ingest: records into the pipeline; "
        "storage: objects at rest"
    )
    corruption: str = Field(description="a kind of the corruption library, e.g. scaling")
    severity: int = Field(3, ge=1, le=5, description="1 mildest .. 5 harshest")
    fraction: float | None = Field(
        None, ge=0, le=1, description="share of rows/objects; default: the severity's own"
    )
    columns: list[str] | None = Field(None, description="columns to corrupt; default: the kind's")
    mechanism: Literal["MCAR", "MAR", "MNAR"] = "MCAR"
    objects: Literal["records", "model"] = Field(
        "records", description="storage: record objects, or the model artifact in the registry"
    )
    region: str | None = Field(None, description="storage: only this region's store")

    judged_by_accuracy: ClassVar[bool] = True

    @field_validator("corruption")
    @classmethod
    def _known(cls, kind: str) -> str:
        if kind not in CORRUPTIONS:
            raise ValueError(CORRUPTIONS.unknown_message(kind))
        return kind

    def corruption_target(self) -> CorruptTarget:
        """Whether the kind corrupts frames or bytes."""
        return CORRUPTIONS.get(self.corruption).target

    def required_target_fields(self) -> tuple[str, ...]:
        return ()

    def describe_target(self) -> str:
        """'serving', 'ingest', or 'storage (model, us-east-1)'."""
        if self.target != "storage":
            return self.target
        return f"storage ({self.objects}, {self.region or 'every region'})"

    def target_phrase(self) -> str:
        """'on serving requests (feature rows sent to the gateway)' and the like."""
        return f"on {_TARGET_WORDS[self.target]}" + (
            f" ({self.objects}, {self.region or 'every region'})"
            if self.target == "storage"
            else ""
        )

    def check(self, ctx: CheckContext) -> list[SpecIssue]:
        """The kind must suit the target, the columns must exist, the region too."""
        regions = ctx.regions
        issues: list[SpecIssue] = []
        is_bytes = self.corruption_target() is CorruptTarget.BYTES
        if self.target == "serving" and self.corruption not in SERVING_KINDS:
            issues.append(
                (
                    ("corruption",),
                    f"{self.corruption} cannot corrupt serving requests (rows of 20 numbers)",
                    f"for serving use one of: {', '.join(SERVING_KINDS)}",
                )
            )
        if self.target == "storage" and not is_bytes:
            kinds = [k for k, c in CORRUPTIONS.items() if c.target is CorruptTarget.BYTES]
            issues.append(
                (
                    ("corruption",),
                    f"{self.corruption} corrupts records, not objects at rest",
                    f"for storage use one of: {', '.join(sorted(kinds))}",
                )
            )
        known = [*FEATURE_NAMES, LABEL, "id"] if self.target == "ingest" else FEATURE_NAMES
        for i, col in enumerate(self.columns or []):
            if col not in known:
                close = difflib.get_close_matches(col, known, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}"
                issues.append((("columns", i), f"no column named {col!r}", hint))
        if self.columns and is_bytes:
            issues.append((("columns",), f"{self.corruption} corrupts bytes: no columns", None))
        if self.region is not None and self.region not in regions:
            issues.append(
                (("region",), f"no region named {self.region!r}", f"known: {', '.join(regions)}")
            )
        if self.target != "storage" and (self.region is not None or self.objects != "records"):
            issues.append((("target",), "region and objects only apply to target: storage", None))
        return issues


@register_fault
@dataclass(eq=False)
class CorruptDataFault(Fault[CorruptDataSpec]):
    """Serving: the window was set up before the load; ingest and storage act at inject."""

    _undo: list[Callable[[], None]] = field(default_factory=list, init=False)
    _fed: bool = field(default=False, init=False)

    def inject(self, ctx: FaultContext) -> None:
        """Corrupt what the target names, and say what was touched."""
        # Imported here: the pipeline modules need the scenario model, which needs this module.
        from harness.pipeline import at_rest, ingest_skew

        spec = self.spec
        seed = ctx.rng.randrange(2**32)
        if spec.target == "serving":
            detail = "requests to the gateway carry corrupted rows"
        elif spec.target == "ingest":
            feed = ctx.stack.feed
            if feed is None:
                raise RuntimeError("corrupt_data on ingest needs a feed (load.feed)")
            detail = ingest_skew.corrupt_feed(feed, spec, seed)
            self._fed = True
        else:
            done, self._undo = at_rest.corrupt_stores(ctx.stack, spec, seed)
            detail = done
        where = spec.target if spec.target != "storage" else f"storage ({spec.objects})"
        ctx.events.emit(DataCorrupted(ctx.clock(), fault=self.name, where=where, detail=detail))

    def revert(self, ctx: FaultContext) -> None:
        """Clean records again for the feed; the registry pointer restored for storage."""
        from harness.pipeline import ingest_skew

        if self._fed and ctx.stack.feed is not None:
            ingest_skew.restore_feed(ctx.stack.feed)
            self._fed = False
        undo, self._undo = self._undo, []
        for step in reversed(undo):
            step()
