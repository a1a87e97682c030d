"""Checks across sections of a valid scenario (fault targets and times, relative objectives)."""

from __future__ import annotations

from typing import get_args

from harness.data.checks import check_dataset
from harness.errors import suggest
from harness.scenario.durations import Duration, format_duration
from harness.scenario.model import Scenario
from harness.scenario.service_checks import check_own_services
from harness.scenario.topology import Topology, resolve_topology
from harness.scenario.types import CheckContext, FaultSpecBase, SpecIssue, TargetSelector
from harness.scenario.yaml_source import YamlPath
from harness.score.slo_metrics import SLO_METRICS

Issue = tuple[YamlPath, str, "str | None"]
_END: tuple[str | int, ...] = ("duration",)  # where the generic end items point
_DURATION_META = get_args(Duration)[1:]  # the validators that make a float a Duration


def check_scenario(scenario: Scenario) -> list[Issue]:
    """Every cross-section problem: (yaml path, message, hint)."""
    topology = resolve_topology(scenario.stack)
    dataset_issues, features = check_dataset(scenario.load.dataset)
    ctx = CheckContext(topology, scenario.load.phases.total, scenario.stack.spot.provider, features)
    issues: list[Issue] = _check_instance_types(scenario) + dataset_issues
    issues += _check_protocols(scenario)
    issues += check_own_services(scenario)
    for i, fault in enumerate(scenario.fault_specs()):
        if isinstance(fault.target, TargetSelector):
            issues += _check_target(fault, ("faults", i), topology)
        own = fault.check(ctx)
        timing = _check_timing(fault.resolve(scenario.stack), scenario)
        issues += [
            (("faults", i, *sub), msg, hint)
            for sub, msg, hint in own + _uncovered(timing, own, fault)
        ]
    if scenario.load.feed is not None and scenario.stack.pipeline is None:
        issues.append(
            (
                ("load", "feed"),
                "a feed needs a data pipeline to send records to",
                "add stack.pipeline (e.g. `pipeline: {replication: {mode: async}}`)",
            )
        )
    for i, slo in enumerate(scenario.slos):
        metric = SLO_METRICS.get(slo.metric)
        if slo.objective.relative and not metric.relative_ok:
            issues.append(
                (
                    ("slos", i, "objective"),
                    f"{slo.metric} cannot be relative to the baseline",
                    "give a bound, e.g. '<= 30s'",
                )
            )
        if slo.objective.relative and slo.resolved_phase == "baseline":
            issues.append(
                (
                    ("slos", i, "phase"),
                    (
                        "a baseline-relative objective cannot be measured "
                        "on the baseline phase itself"
                    ),
                    "use phase: fault, recovery or overall",
                )
            )
    return issues


def _check_protocols(scenario: Scenario) -> list[Issue]:
    """One load speaks to every region: they must all speak the first region's protocol."""
    regions = scenario.stack.regions
    first = regions[0].inference.protocol
    issues: list[Issue] = [
        (
            ("stack", "regions", i, "inference", "protocol"),
            f"region {r.name!r} speaks {r.inference.protocol.kind} "
            f"({r.inference.protocol.model_dump(exclude_defaults=True)}), "
            f"but region {regions[0].name!r} speaks {first.kind} "
            f"({first.model_dump(exclude_defaults=True)})",
            "every region must speak the same protocol with the same settings: "
            "one load sends the same requests to all of them",
        )
        for i, r in enumerate(regions[1:], start=1)
        if r.inference.protocol != first
    ]
    if getattr(first, "one_row", False) and scenario.load.batch_size > 1:
        issues.append(
            (
                ("load", "batch_size"),
                'the protocol\'s request template sends one "{row}": batch_size must be 1',
                'use "{rows}" in the template to send a batch',
            )
        )
    return issues


def _check_instance_types(scenario: Scenario) -> list[Issue]:
    """Every named instance type must have a price."""
    stack = scenario.stack
    named: list[tuple[YamlPath, str | None]] = [
        (("stack", "default_instance_type"), stack.default_instance_type)
    ]
    named += [
        (("stack", "regions", i, "inference", "instance_type"), r.inference.instance_type)
        for i, r in enumerate(stack.regions)
    ]
    known = list(stack.instance_types)
    return [
        (path, f"instance type {name!r} has no price in stack.instance_types", suggest(name, known))
        for path, name in named
        if name is not None and name not in stack.instance_types
    ]


def _check_target(fault: FaultSpecBase, path: YamlPath, topology: Topology) -> list[Issue]:
    target = fault.target
    issues: list[Issue] = []
    for name in fault.required_target_fields():
        if getattr(target, name) is None:
            issues.append(((*path, "target"), f"fault {fault.kind} needs target.{name}", None))
    known = {
        "region": list(topology.regions),
        "service": sorted({i.service for i in topology.regional()}),
        "instance": [i.name for i in topology.regional()],
    }
    for name, values in known.items():
        value = getattr(target, name)
        if value is not None and value not in values:
            issues.append(
                (
                    (*path, "target", name),
                    f"no {name} named {value!r} in the stack",
                    suggest(value, values),
                )
            )
    if not issues and not (topology.select_links(target) or topology.select_instances(target)):
        issues.append(((*path, "target"), f"target ({target.describe()}) matches nothing", None))
    return issues


def _check_timing(fault: FaultSpecBase, scenario: Scenario) -> list[SpecIssue]:
    """Where the fault sits in the phases: its start, then its end (each found on its own)."""
    phases = scenario.load.phases
    fmt = format_duration
    issues: list[SpecIssue] = []
    if fault.at < phases.baseline:
        issues.append(
            (
                ("at",),
                (
                    f"fault starts at {fmt(fault.at)}, inside the baseline phase "
                    f"(0–{fmt(phases.baseline)})"
                ),
                f"start it at {fmt(phases.baseline)} or later",
            )
        )
    return issues + _check_end(fault, scenario)


def _check_end(fault: FaultSpecBase, scenario: Scenario) -> list[SpecIssue]:
    phases = scenario.load.phases
    window_end = phases.baseline + phases.fault
    end = fault.at + fault.duration
    fmt = format_duration
    if fault.duration <= 0:
        return [(_END, "a fault needs a duration greater than 0", None)]
    if end > phases.total:  # then it also ends after the fault phase: one error is enough
        return [
            (
                _END,
                (
                    f"fault outlasts the run: it ends at {fmt(end)}, "
                    f"the run ends at {fmt(phases.total)}"
                ),
                "shorten it or lengthen load.phases",
            )
        ]
    if end > window_end:
        return [
            (
                _END,
                (
                    f"fault ends at {fmt(end)}, after the fault phase "
                    f"({fmt(phases.baseline)}–{fmt(window_end)})"
                ),
                "lengthen load.phases.fault",
            )
        ]
    return []


def _uncovered(
    timing: list[SpecIssue], own: list[SpecIssue], fault: FaultSpecBase
) -> list[SpecIssue]:
    """The generic timing items a kind's own findings do not already state.

    An own finding on the same field states it. And the end is computed from the fault's
    times (spot: its notice, grace and waves), so an own finding on any of them, or on the
    fault as a whole, makes a generic end item a restatement (or wrong once that field is fixed).
    """
    own_fields = {sub[0] if sub else None for sub, _, _ in own}
    times = _time_fields(fault) | {None}
    return [
        item
        for item in timing
        if item[0][0] not in own_fields and not (item[0] == _END and own_fields & times)
    ]


def _time_fields(fault: FaultSpecBase) -> set[str | int | None]:
    """Names of the spec's fields that hold a duration (at, duration, notice, ...)."""
    return {
        name
        for name, info in type(fault).model_fields.items()
        if set(info.metadata) & set(_DURATION_META) or Duration in get_args(info.annotation)
    }
