"""The inference service of a region when it is the user's own: image, build or command."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, PrivateAttr, ValidationInfo, model_validator

from harness.protocols.field import ProtocolField
from harness.protocols.harness import HarnessProtocol
from harness.scenario.durations import Duration
from harness.scenario.paths import BASE_DIR, ScenarioPath
from harness.scenario.types import StrictModel


class HealthSpec(StrictModel):
    """How the harness and the gateway tell that an instance of the service is ready."""

    path: str | None = Field(None, description="default: the protocol's health path")
    status: int = Field(200, ge=100, le=599, description="the status a ready instance answers")
    timeout: Duration = Field(
        60.0, description="how long an instance may take to become ready at start (not scaled)"
    )


class OwnService(StrictModel):
    """The fields of `inference:` that name the user's own service instead of the reference one.

    docs/own-stack.md is the contract: what the harness sends, expects back and signals.
    """

    image: str | None = Field(None, description="docker: an image that exists on the engine")
    build: ScenarioPath | None = Field(
        None, description="docker: a folder with a Dockerfile, built offline, tagged by its hash"
    )
    command: list[str] | None = Field(
        None,
        min_length=1,
        description="process: the argv, run in the scenario's folder; placeholders {port}, "
        "{host}, {port:NAME} (another free port, kept across restarts), {scenario_dir}, "
        "{instance}, {region}, {venv}, {sidecar:metadata} (spot), {mount:NAME}; {{ is a brace",
    )
    requirements: ScenarioPath | None = Field(
        None,
        description="a requirements file: process: a cached venv (its bin/ first on PATH); "
        "build: wheels for it in the build context",
    )
    port: int = Field(8080, ge=1, le=65535, description="docker: the port it listens on")
    env: dict[str, str] = Field(default_factory=dict, description="placeholders as in command")
    health: HealthSpec = Field(default_factory=HealthSpec)
    protocol: ProtocolField = Field(
        default_factory=HarnessProtocol, description="how requests and answers are encoded"
    )

    _scenario_dir: Path = PrivateAttr(default_factory=Path.cwd)

    @model_validator(mode="after")
    def _image_or_build(self, info: ValidationInfo) -> OwnService:
        if self.image is not None and self.build is not None:
            raise ValueError("give image or build, not both")
        base = (info.context or {}).get(BASE_DIR)
        if base is not None:  # {scenario_dir} and the command's cwd (as ScenarioPath resolves)
            self._scenario_dir = Path(base)
        return self

    @property
    def scenario_dir(self) -> Path:
        """The scenario file's folder (the working directory when validated without a file)."""
        return self._scenario_dir

    @property
    def own(self) -> bool:
        """True when the region runs the user's service rather than the reference one."""
        return self.image is not None or self.build is not None or self.command is not None

    @property
    def health_path(self) -> str:
        """The path a ready instance answers `health.status` on."""
        return self.health.path or self.protocol.default_health_path()
