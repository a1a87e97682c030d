"""Scenario sections for spot capacity and prices: instance types, the cloud, replacements."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from harness.scenario.durations import Duration
from harness.scenario.types import StrictModel

Provider = Literal["aws", "gcp", "azure"]
Capacity = Literal["spot", "on_demand", "none"]
Pricing = Literal["on_demand", "spot"]
ON_DEMAND: Pricing = "on_demand"
SPOT: Pricing = "spot"


class InstanceType(StrictModel):
    """An instance type's hourly prices (any currency; the report says USD)."""

    price: float = Field(gt=0, description="on-demand price per hour")
    spot_price: float | None = Field(None, gt=0, description="spot price per hour")
    spot_discount: float | None = Field(
        None, ge=0, lt=1, description="spot price = price × (1 − discount); default: the stack's"
    )

    @model_validator(mode="after")
    def _one_spot_rule(self) -> InstanceType:
        if self.spot_price is not None and self.spot_discount is not None:
            raise ValueError("give spot_price or spot_discount, not both")
        return self

    def spot_hourly(self, default_discount: float) -> float:
        """The spot price per hour."""
        if self.spot_price is not None:
            return self.spot_price
        discount = self.spot_discount if self.spot_discount is not None else default_discount
        return self.price * (1.0 - discount)


class Replacement(StrictModel):
    """What replaces a preempted spot instance: the architecture decides."""

    capacity: Capacity = Field(
        "spot",
        description="spot: a new spot instance; on_demand: fall back to on-demand; "
        "none: no replacement",
    )
    delay: Duration = Field(
        30.0, description="from termination to the replacement's launch (scaled)"
    )


class SpotSpec(StrictModel):
    """The cloud the stack runs on, and how its spot instances react and are replaced."""

    provider: Provider = Field("aws", description="whose metadata API and notice semantics")
    drain_on_notice: bool = Field(
        True,
        description="inference instances poll their metadata endpoint and drain on a notice "
        "(a node termination handler); false: they notice nothing until SIGTERM",
    )
    notice_poll: Duration = Field(
        5.0, description="how often the handler polls the metadata endpoint (scaled)"
    )
    replacement: Replacement = Field(default_factory=Replacement)
