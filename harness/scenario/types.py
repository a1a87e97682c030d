"""Building blocks shared by the scenario model and the fault specs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from harness.scenario.durations import Duration

if TYPE_CHECKING:
    from harness.scenario.model import Stack
    from harness.scenario.topology import Topology

NAME_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
# A problem a fault spec finds in itself: (path under the fault, message, hint).
SpecIssue = tuple[tuple[str | int, ...], str, str | None]


@dataclass(frozen=True)
class CheckContext:
    """What a fault spec may check itself against: the resolved stack and the run's length."""

    topology: Topology
    run_length_s: float  # baseline + fault + recovery, as written (unscaled)
    provider: str = "aws"  # the stack's cloud (stack.spot.provider)
    # The columns of the rows the load sends (load.dataset's, or the reference features);
    # empty when the dataset cannot be read (that is reported on its own).
    features: tuple[str, ...] = ()

    @property
    def regions(self) -> tuple[str, ...]:
        """Region names in priority order."""
        return self.topology.regions


class StrictModel(BaseModel):
    """A scenario section: unknown keys are errors, values are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetSelector(StrictModel):
    """Which part of the stack a fault acts on; every field narrows the selection."""

    region: str | None = Field(None, description="only instances or links of this region")
    service: str | None = Field(None, description="only this service kind, e.g. 'inference'")
    instance: str | None = Field(
        None, description="only this instance, e.g. 'inference-us-east-1-0'"
    )

    def describe(self) -> str:
        """Human form, e.g. 'region=us-east-1 service=inference' or 'everything'."""
        parts = [f"{k}={v}" for k, v in self.model_dump().items() if v is not None]
        return " ".join(parts) or "everything"


class FaultSpecBase(StrictModel):
    """Fields every fault has; each fault kind subclasses this with `kind: Literal[...]`."""

    kind: str
    name: str | None = Field(None, description="a label for reports; defaults to kind#index")
    target: TargetSelector = Field(default_factory=TargetSelector)
    at: Duration = Field(description="when to inject, seconds since run start")
    duration: Duration = Field(description="how long the fault lasts before it is reverted")

    # A fault that breaks answers rather than availability: recovery also needs accuracy back.
    judged_by_accuracy: ClassVar[bool] = False

    def required_target_fields(self) -> tuple[str, ...]:
        """Target fields this kind cannot do without (checked with the file location)."""
        return ()

    def describe_target(self) -> str:
        """What the fault acts on, for reports."""
        return self.target.describe()

    def target_phrase(self) -> str:
        """The target as a report sentence ends: 'on region=us-east-1', 'between a and b'."""
        return f"on {self.describe_target()}"

    def check(self, ctx: CheckContext) -> list[SpecIssue]:
        """Kind-specific problems as (path under the fault, message, hint); none by default."""
        return []

    def resolve(self, stack: Stack) -> FaultSpecBase:
        """A copy with defaults that come from the stack filled in; itself by default."""
        return self

    def scaled(self, factor: float) -> FaultSpecBase:
        """A copy with every schedule time multiplied by `factor` (--time-scale)."""
        return self.model_copy(update={"at": self.at * factor, "duration": self.duration * factor})
