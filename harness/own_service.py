"""The ServiceSpec of an inference instance that runs the user's own service (docs/own-stack.md).

The topology is the reference one (names, replicas, spot share, instance types), so faults and
scores reach an own instance as they reach ours; only how it is launched differs: the user's
image, build or command, their env, their health path and status.
"""

from __future__ import annotations

from pathlib import Path

from harness.backends.base import (
    NAMED_PLACEHOLDERS,
    PLAIN_PLACEHOLDERS,
    SCENARIO_MOUNT,
    ServiceSpec,
    Sidecar,
    placeholders_in,
)
from harness.errors import HarnessError, suggest
from harness.scenario.model import InferenceSpec, Scenario
from harness.scenario.plan import Plan
from harness.scenario.topology import INFERENCE, InstancePlan
from harness.spot.metadata import MOUNT as METADATA

# Names an own instance may give after `{sidecar:` and `{mount:` (`{port:NAME}` takes any name).
OWN_SIDECARS = (METADATA,)
OWN_MOUNTS = (SCENARIO_MOUNT, METADATA)

INSTANCE_ENV = "HARNESS_INSTANCE"
REGION_ENV = "HARNESS_REGION"
METADATA_ENV = "HARNESS_METADATA_URL"


def own_inference(plan: Plan, inst: InstancePlan) -> InferenceSpec | None:
    """The region's `inference:` when `inst` is an inference instance of the user's service."""
    if inst.service != INFERENCE:
        return None
    region = next((r for r in plan.scenario.stack.regions if r.name == inst.region), None)
    return region.inference if region is not None and region.inference.own else None


def own_service_spec(
    inst: InstancePlan,
    service: InferenceSpec,
    sidecars: tuple[Sidecar, ...] = (),
    metadata_dir: Path | None = None,
) -> ServiceSpec:
    """One own inference instance; `sidecars` (its metadata server on spot) as for ours."""
    mounts = {SCENARIO_MOUNT: service.scenario_dir}
    env = {**service.env, INSTANCE_ENV: inst.name, REGION_ENV: inst.region or ""}
    if sidecars and metadata_dir is not None:
        mounts[METADATA] = metadata_dir
        env[METADATA_ENV] = f"{{sidecar:{METADATA}}}"
    return ServiceSpec(
        inst.name,
        INFERENCE,
        inst.region,
        "",  # no python module: the user's command or image
        mounts=mounts,
        ready_path=service.health_path,
        env=env,
        sidecars=sidecars,
        command=None if service.command is None else tuple(service.command),
        image=service.image,
        port=service.port,
        ready_status=service.health.status,
        ready_timeout_s=service.health.timeout,
        build=service.build,
        requirements=service.requirements,
        cwd=service.scenario_dir,
        protocol=service.protocol.kind,
    )


def unknown_placeholder(text: str) -> tuple[str, str] | None:
    """The first placeholder of `text` an own service cannot use: (as written, hint)."""
    for key, name in placeholders_in(text):
        written = f"{{{key}}}" if name is None else f"{{{key}:{name}}}"
        if name is None and key not in PLAIN_PLACEHOLDERS:
            known = [f"{{{k}}}" for k in PLAIN_PLACEHOLDERS] + [
                f"{{{k}:NAME}}" for k in NAMED_PLACEHOLDERS
            ]
            return written, suggest(f"{{{key}}}", known) + "; write {{ for a literal brace"
        if name is not None and key not in NAMED_PLACEHOLDERS:
            named = [f"{{{k}:{name}}}" for k in NAMED_PLACEHOLDERS]
            return written, suggest(written, named)
        names = {"sidecar": OWN_SIDECARS, "mount": OWN_MOUNTS}.get(key)
        if name is not None and names is not None and name not in names:
            return written, suggest(written, [f"{{{key}:{n}}}" for n in names])
    return None


def check_backend(scenario: Scenario, backend: str) -> None:
    """Refuse, before anything starts, an own service the backend cannot run."""
    if backend != "process":
        return
    for region in scenario.stack.regions:
        if region.inference.own and region.inference.command is None:
            raise HarnessError(
                f"region {region.name}'s inference has no command: "
                "the process backend cannot run it",
                hint="give command: or use --backend docker",
            )
