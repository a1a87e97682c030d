"""Checks of the regions' own inference services: files they name, placeholders, retrain."""

from __future__ import annotations

from harness.own_service import unknown_placeholder
from harness.scenario.model import InferenceSpec, Scenario
from harness.scenario.yaml_source import YamlPath

Issue = tuple[YamlPath, str, "str | None"]


def check_own_services(scenario: Scenario) -> list[Issue]:
    """Every problem of every region's own inference service, each at its YAML path."""
    issues: list[Issue] = []
    own = []
    for i, region in enumerate(scenario.stack.regions):
        service = region.inference
        if not service.own:
            continue
        own.append(region.name)
        issues += _check_files(service, ("stack", "regions", i, "inference"))
        issues += _check_placeholders(service, ("stack", "regions", i, "inference"))
    pipeline = scenario.stack.pipeline
    if own and pipeline is not None and pipeline.retrain is not None:
        issues.append(
            (
                ("stack", "pipeline", "retrain"),
                f"retrain cannot feed your own inference service (region {', '.join(own)}): "
                "it publishes ONNX models for the reference inference service only",
                "remove pipeline.retrain (the pipeline's ingest and replication still run)",
            )
        )
    return issues


def _check_files(service: InferenceSpec, at: YamlPath) -> list[Issue]:
    issues: list[Issue] = []
    build = service.build
    if build is not None and not build.is_dir():
        issues.append(((*at, "build"), f"build folder {build} does not exist", _RELATIVE))
    elif build is not None and not (build / "Dockerfile").is_file():
        issues.append(
            ((*at, "build"), f"build folder {build} has no Dockerfile", "add one, or give image:")
        )
    req = service.requirements
    if req is not None and not req.is_file():
        issues.append(((*at, "requirements"), f"requirements file {req} does not exist", _RELATIVE))
    return issues


_RELATIVE = "a relative path is relative to the scenario file's folder"


def _check_placeholders(service: InferenceSpec, at: YamlPath) -> list[Issue]:
    issues: list[Issue] = []
    places: list[tuple[YamlPath, str]] = [
        ((*at, "command", j), arg) for j, arg in enumerate(service.command or ())
    ]
    places += [((*at, "env", key), value) for key, value in service.env.items()]
    for path, text in places:
        found = unknown_placeholder(text)
        if found is not None:
            written, hint = found
            issues.append((path, f"unknown placeholder {written}", hint))
    return issues
