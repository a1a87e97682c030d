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

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from harness.corrupt import CORRUPTIONS, CorruptionRequest
from harness.corrupt.base import Target as CorruptTarget
from harness.errors import did_you_mean
from harness.events import DataCorrupted
from harness.faults.base import Fault, FaultContext, Preparation, PrepareContext, register_fault
from harness.pipeline import at_rest, ingest_skew, serving_skew
from harness.pipeline.records import FEATURE_NAMES, LABEL
from harness.scenario.types import CheckContext, FaultSpecBase, SpecIssue

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

    def request(self) -> CorruptionRequest:
        """The corruption as the code applying it takes it."""
        return CorruptionRequest(
            kind=self.corruption,
            severity=self.severity,
            fraction=self.fraction,
            columns=None if self.columns is None else tuple(self.columns),
            mechanism=self.mechanism,
        )

    def serving_request(self) -> CorruptionRequest | None:
        """The corruption of the rows sent to the gateway; None unless the target is serving."""
        return self.request() if self.target == "serving" else None

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
        if self.target == "serving" and not CORRUPTIONS.get(self.corruption).keeps_shape:
            shaped = [k for k, c in CORRUPTIONS.items() if c.keeps_shape]
            issues.append(
                (
                    ("corruption",),
                    f"{self.corruption} cannot corrupt serving requests (rows of "
                    f"{len(ctx.features)} numbers)",
                    f"for serving use one of: {', '.join(shaped)}",
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
        # serving: the columns of the rows the load sends (load.dataset's); ingest and storage:
        # the reference pipeline's records, whatever the dataset.
        known = {
            "serving": list(ctx.features),
            "ingest": [*FEATURE_NAMES, LABEL, "id"],
            "storage": FEATURE_NAMES,
        }[self.target]
        # no serving features: the dataset did not read, which is reported on its own
        for i, col in enumerate((self.columns or []) if known else []):
            if col not in known:
                hint = did_you_mean(col, known) or f"known: {', '.join(known)}"
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

    def prepare(self, ctx: PrepareContext) -> Preparation:
        """Serving: the corrupted rows written before the run, and the window the load sends them in."""
        request = self.spec.serving_request()
        if request is None:
            return Preparation()
        path = serving_skew.write_rows(ctx.plan, self.name, request, ctx.holdout, ctx.out_dir)
        end = self.spec.at + self.spec.duration
        return Preparation(corruptions=((self.spec.at, end, str(path)),))

    def inject(self, ctx: FaultContext) -> None:
        """Corrupt what the target names, and say what was touched."""
        spec = self.spec
        seed = ctx.rng.randrange(2**32)
        if spec.target == "serving":
            detail = "requests to the gateway carry corrupted rows"
        elif spec.target == "ingest":
            if ctx.feed is None:
                raise RuntimeError("corrupt_data on ingest needs a feed (load.feed)")
            detail = ingest_skew.corrupt_feed(ctx.feed, spec.request(), seed)
            self._fed = True
        else:
            detail, self._undo = at_rest.corrupt_stores(
                self._stores(ctx), spec.request(), spec.objects, seed
            )
        where = spec.target if spec.target != "storage" else f"storage ({spec.objects})"
        ctx.events.emit(DataCorrupted(ctx.clock(), fault=self.name, where=where, detail=detail))

    def _stores(self, ctx: FaultContext) -> list[at_rest.Store]:
        """(region, URL) of the object store of each selected region."""
        topo = ctx.topology
        if not topo.has_pipeline():
            return []
        regions = [self.spec.region] if self.spec.region is not None else topo.regions
        return [(r, ctx.stack.handles[topo.store_of(r).name].url) for r in regions]

    def revert(self, ctx: FaultContext) -> None:
        """Clean records again for the feed; the registry pointer restored for storage."""
        if self._fed and ctx.feed is not None:
            ingest_skew.restore_feed(ctx.feed)
            self._fed = False
        undo, self._undo = self._undo, []
        for step in reversed(undo):
            step()
