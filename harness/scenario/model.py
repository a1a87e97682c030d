"""The scenario as a typed model: stack, load, faults and objectives."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import (
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    TypeAdapter,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from harness.faults import FAULTS
from harness.scenario.dataset import DatasetSpec
from harness.scenario.durations import Duration
from harness.scenario.objective import Objective, parse_objective
from harness.scenario.service import OwnService
from harness.scenario.spot import InstanceType, SpotSpec
from harness.scenario.types import NAME_PATTERN, FaultSpecBase, StrictModel
from harness.score.slo_metrics import SLO_METRICS

Architecture = Literal["single-region", "active-passive", "active-active"]
PhaseName = Literal["overall", "baseline", "fault", "recovery"]


class HealthCheck(StrictModel):
    """How the gateway checks its inference instances."""

    interval: Duration = Field(1.0, description="time between checks (scaled by --time-scale)")
    timeout: Duration = Field(0.5, description="timeout of one check (not scaled)")
    unhealthy_threshold: int = Field(3, ge=1, description="failed checks before ejection")
    healthy_threshold: int = Field(2, ge=1, description="passed checks before return")


class Retry(StrictModel):
    """Per-request timeout and bounded retries of the gateway."""

    attempts: int = Field(2, ge=1, le=10, description="tries per request, first one included")
    per_request_timeout: Duration = Field(1.0, description="timeout of one try (not scaled)")


class GatewaySpec(StrictModel):
    """The entry point of clients."""

    health_check: HealthCheck = Field(default_factory=HealthCheck)
    retry: Retry = Field(default_factory=Retry)


class InferenceSpec(OwnService):
    """Inference instances of one region: how many, on which type, how many on spot.

    The reference inference service unless `image`, `build` or `command` names the user's own.
    """

    replicas: int = Field(1, ge=1, le=16)
    instance_type: str | None = Field(None, description="default: the stack's default type")
    spot: int | float = Field(
        0,
        description="spot instances of this region: a count (2) or a fraction of the "
        "replicas (0.7, rounded half up); the last ones are spot, the first on-demand",
    )

    @field_validator("spot", mode="before")
    @classmethod
    def _spot_not_bool(cls, spot: Any) -> Any:
        if isinstance(spot, bool):
            raise ValueError("spot is a count (2) or a fraction (0.7), not true/false")
        return spot

    @field_validator("spot")
    @classmethod
    def _spot_share(cls, spot: int | float, info: ValidationInfo) -> int | float:
        replicas = info.data.get("replicas")
        if isinstance(spot, float):
            if not 0 <= spot <= 1:
                raise ValueError(
                    f"spot fraction {spot:g} is outside 0..1; give a fraction like 0.7 "
                    "or a count like 2"
                )
        elif spot < 0:
            raise ValueError(f"spot count {spot} is negative")
        elif replicas is not None and spot > replicas:
            raise ValueError(f"spot count {spot} is more than the {replicas} replicas")
        return spot

    def spot_count(self) -> int:
        """How many of the replicas run on spot."""
        if isinstance(self.spot, float):
            return int(self.replicas * self.spot + 0.5)
        return self.spot


class Replication(StrictModel):
    """How accepted records reach the other regions' stores."""

    mode: Literal["async", "sync", "none"] = Field(
        "async",
        description="async: a replicator copies new objects after `lag`; sync: ingest writes "
        "every region before it acknowledges; none: no copies",
    )
    lag: Duration = Field(0.0, description="async: delay before an object is copied (scaled)")
    interval: Duration = Field(1.0, description="async: time between replication passes (scaled)")


class Retrain(StrictModel):
    """The retrain job of the first region: on a schedule and/or when drift is seen."""

    every: Duration | None = Field(None, description="retrain this often (scaled); none: never")
    on_drift: bool = Field(True, description="also retrain when the recent records drift")
    check_interval: Duration = Field(1.0, description="time between checks (scaled)")
    window: int = Field(2000, ge=50, description="newest records a model is trained on")
    min_rows: int = Field(500, ge=10, description="fewer readable records: the run is skipped")
    max_drop: float = Field(
        0.02,
        ge=0,
        le=1,
        description="a candidate less accurate than this below the serving "
        "model on the golden set is not promoted",
    )


class PipelineSpec(StrictModel):
    """Object storage per region, ingest, replication, retrain and the model registry."""

    replication: Replication = Field(default_factory=Replication)
    retrain: Retrain | None = Field(None, description="absent: no retrain job")
    registry_poll: Duration = Field(
        1.0, description="how often inference instances poll the model registry (scaled)"
    )


class RegionSpec(StrictModel):
    """One region: a name and what runs in it."""

    name: str = Field(pattern=NAME_PATTERN)
    inference: InferenceSpec = Field(default_factory=InferenceSpec)


class Stack(StrictModel):
    """What runs: regions in priority order, the architecture, the gateway."""

    architecture: Architecture
    regions: list[RegionSpec] = Field(min_length=1)
    gateway: GatewaySpec = Field(default_factory=GatewaySpec)
    pipeline: PipelineSpec | None = Field(
        None, description="the data pipeline (object store per region, ingest, replication)"
    )
    instance_types: dict[str, InstanceType] = Field(
        default_factory=dict, description="hourly prices by instance type (the cost model)"
    )
    default_instance_type: str | None = Field(
        None, description="the type of every instance that names none"
    )
    spot_discount: float = Field(
        0.7, ge=0, lt=1, description="spot discount of a type without its own spot price"
    )
    spot: SpotSpec = Field(default_factory=SpotSpec)

    @field_validator("regions")
    @classmethod
    def _unique_regions(cls, regions: list[RegionSpec]) -> list[RegionSpec]:
        names = [r.name for r in regions]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"region names must be unique, repeated: {', '.join(dupes)}")
        return regions

    @model_validator(mode="after")
    def _enough_regions(self) -> Stack:
        if self.architecture != "single-region" and len(self.regions) < 2:
            raise ValueError(f"architecture {self.architecture} needs at least two regions")
        return self

    def type_of(self, region: RegionSpec) -> str | None:
        """The instance type of the inference instances of `region`."""
        return region.inference.instance_type or self.default_instance_type


class Phases(StrictModel):
    """Durations of the phases: baseline → fault window → recovery."""

    baseline: Duration = Field(description="no faults; the reference for relative objectives")
    fault: Duration = Field(description="the window in which faults are scheduled")
    recovery: Duration = Field(description="settle time after the fault window")

    @property
    def total(self) -> float:
        """Length of the whole run in seconds."""
        return self.baseline + self.fault + self.recovery


class FeedSpec(StrictModel):
    """Labelled records sent to the ingest of the first region that takes them."""

    rate: float = Field(gt=0, le=2000, description="records per second")
    batch_size: int = Field(10, ge=1, le=1000, description="records per request")
    timeout: Duration = Field(2.0, description="timeout of one request (not scaled)")


class LoadSpec(StrictModel):
    """Labelled traffic at a constant rate for the length of the phases."""

    rate: float = Field(gt=0, le=5000, description="requests per second")
    timeout: Duration = Field(2.0, description="client timeout per request (not scaled)")
    batch_size: int = Field(1, ge=1, le=1024, description="rows per request")
    phases: Phases
    feed: FeedSpec | None = Field(None, description="records into the pipeline (needs one)")
    dataset: DatasetSpec | None = Field(
        None, description="your labelled rows (CSV or Parquet); default: the reference data"
    )


ObjectiveField = Annotated[
    Objective,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*(<=|>=|<|>)\s*\d+(\.\d+)?\s*(%|ms|s|m|x\s*baseline)?\s*$",
            "examples": ["<= 300ms", ">= 99.9%", "<= 2x baseline", "<= 30s"],
        }
    ),
]


class SloSpec(StrictModel):
    """One objective: a metric, a bound and the phase it is measured over."""

    metric: Annotated[str, WithJsonSchema({"enum": SLO_METRICS.kinds()})]
    objective: ObjectiveField
    phase: PhaseName | None = Field(None, description="default: the metric's own default")
    name: str | None = None

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, metric: str) -> str:
        if metric not in SLO_METRICS:
            raise ValueError(SLO_METRICS.unknown_message(metric))
        return metric

    @field_validator("objective", mode="before")
    @classmethod
    def _parse_objective(cls, value: Any, info: ValidationInfo) -> Objective:
        if isinstance(value, Objective):
            return value
        metric = info.data.get("metric")
        if metric is None:
            raise ValueError("objective cannot be checked: its metric is invalid")
        return parse_objective(value, SLO_METRICS.get(metric).unit)

    @property
    def resolved_phase(self) -> str:
        """The phase this objective is measured over."""
        return self.phase or SLO_METRICS.get(self.metric).default_phase

    @property
    def label(self) -> str:
        """Name shown in reports."""
        return self.name or f"{self.metric} {self.objective.text}"


class Scoring(StrictModel):
    """How recovery is judged: the SLO window condition and how long it must keep holding."""

    stabilisation: Duration = Field(
        5.0, description="how long the window condition must keep holding to count as recovered"
    )
    min_success_ratio: float = Field(
        0.99, gt=0, le=1, description="share of good requests the window condition needs"
    )
    max_latency: Duration | None = Field(
        None, description="a request slower than this is not good (not scaled)"
    )
    accuracy_drop: float = Field(
        0.05,
        ge=0,
        le=1,
        description="data faults: recovered once the answers' accuracy, judged with a Wilson "
        "bound over enough labelled requests, is back within this of the baseline's",
    )


class OfItsKind:
    """A fault entry validates as the spec of the kind it names, looked up in FAULTS right then.

    Looked up at validation, not when this module is imported, so a kind registered later (a
    test's own fault) validates and shows in the schema like the shipped ones. It is pydantic's
    union tagged by `kind`, so errors read as they would with a fixed union: the kind in their
    location, `union_tag_*` for a missing or unknown kind.
    """

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(_validate_fault)

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(_fault_union().core_schema)


def _validate_fault(value: Any) -> FaultSpecBase:
    if isinstance(value, FaultSpecBase):  # already validated (a copy of a scenario)
        return value
    spec: FaultSpecBase = _fault_union().validate_python(value)
    return spec


def _fault_union() -> TypeAdapter[Any]:
    return _union_of(tuple(cls.Spec for _, cls in FAULTS.items()))


@cache
def _union_of(specs: tuple[type[FaultSpecBase], ...]) -> TypeAdapter[Any]:
    """The union tagged by `kind` of these specs (built once per set of registered kinds)."""
    union: Any = Annotated[Union[specs], Field(discriminator="kind")]  # noqa: UP007
    return TypeAdapter(union)


class Scenario(StrictModel):
    """One scenario file."""

    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    seed: int = Field(0, ge=0)
    stack: Stack
    load: LoadSpec
    faults: list[Annotated[FaultSpecBase, OfItsKind()]] = Field(default_factory=list)
    slos: list[SloSpec] = Field(default_factory=list)
    scoring: Scoring = Field(default_factory=Scoring)

    def fault_specs(self) -> list[FaultSpecBase]:
        """The faults, typed by their common base."""
        return list(self.faults)
