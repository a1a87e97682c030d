"""Checks across sections of a valid scenario (fault targets and times, relative objectives)."""

from __future__ import annotations

import difflib

from harness.scenario.durations import format_duration
from harness.scenario.model import Scenario
from harness.scenario.topology import Topology, resolve_topology
from harness.scenario.types import CheckContext, FaultSpecBase, TargetSelector
from harness.scenario.yaml_source import YamlPath
from harness.score.slo_metrics import SLO_METRICS

Issue = tuple[YamlPath, str, "str | None"]


def check_scenario(scenario: Scenario) -> list[Issue]:
    """Every cross-section problem: (yaml path, message, hint)."""
    topology = resolve_topology(scenario.stack)
    ctx = CheckContext(topology, scenario.load.phases.total, scenario.stack.spot.provider)
    issues: list[Issue] = _check_instance_types(scenario)
    for i, fault in enumerate(scenario.fault_specs()):
        if isinstance(fault.target, TargetSelector):
            issues += _check_target(fault, ("faults", i), topology)
        own = [(("faults", i, *sub), msg, hint) for sub, msg, hint in fault.check(ctx)]
        # A kind's own finding about its times says it better than the generic timing check.
        issues += own or _check_timing(fault.resolve(scenario.stack), ("faults", i), scenario)
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
        (path, f"instance type {name!r} has no price in stack.instance_types", _hint(name, known))
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
                    _hint(value, values),
                )
            )
    if not issues and not (topology.select_links(target) or topology.select_instances(target)):
        issues.append(((*path, "target"), f"target ({target.describe()}) matches nothing", None))
    return issues


def _check_timing(fault: FaultSpecBase, path: YamlPath, scenario: Scenario) -> list[Issue]:
    phases = scenario.load.phases
    window_end = phases.baseline + phases.fault
    end = fault.at + fault.duration
    fmt = format_duration
    if fault.duration <= 0:
        return [((*path, "duration"), "a fault needs a duration greater than 0", None)]
    if end > phases.total:
        return [
            (
                (*path, "duration"),
                (
                    f"fault outlasts the run: it ends at {fmt(end)}, "
                    f"the run ends at {fmt(phases.total)}"
                ),
                "shorten it or lengthen load.phases",
            )
        ]
    if fault.at < phases.baseline:
        return [
            (
                (*path, "at"),
                (
                    f"fault starts at {fmt(fault.at)}, inside the baseline phase "
                    f"(0–{fmt(phases.baseline)})"
                ),
                f"start it at {fmt(phases.baseline)} or later",
            )
        ]
    if end > window_end:
        return [
            (
                (*path, "duration"),
                (
                    f"fault ends at {fmt(end)}, after the fault phase "
                    f"({fmt(phases.baseline)}–{fmt(window_end)})"
                ),
                "lengthen load.phases.fault",
            )
        ]
    return []


def _hint(value: str, values: list[str]) -> str:
    close = difflib.get_close_matches(value, values, n=1)
    listing = f"known: {', '.join(values)}"
    return f"did you mean {close[0]!r}? ({listing})" if close else listing
