"""The pipeline in scenarios: names, links, time scale, and every bad input at validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import ScenarioError
from harness.scenario.loader import load_scenario
from harness.scenario.plan import make_plan

ROOT = Path(__file__).resolve().parents[3]

HEAD = """\
name: p
stack:
  architecture: active-passive
  regions: [{name: a}, {name: b}]
  pipeline: {replication: {mode: MODE, lag: 4s}, retrain: {every: 10s}}
load:
  rate: 10
  phases: {baseline: 10s, fault: 20s, recovery: 10s}
  feed: {rate: 20}
"""


def plan_of(tmp_path: Path, mode: str = "async", extra: str = "", scale: float = 1.0):  # type: ignore[no-untyped-def]
    path = tmp_path / "p.yaml"
    path.write_text(HEAD.replace("MODE", mode) + extra)
    scenario, _ = load_scenario(path)
    return make_plan(scenario, time_scale=scale)


def errors_of(tmp_path: Path, extra: str, head: str = HEAD.replace("MODE", "async")) -> list[str]:
    path = tmp_path / "p.yaml"
    path.write_text(head + extra)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [e.render().replace(str(path), "p.yaml") for e in info.value.errors]


def test_async_stack_has_stores_ingest_replicators_and_retrain(tmp_path: Path) -> None:
    topo = plan_of(tmp_path).topology
    names = [i.name for i in topo.regional()]
    assert names[:2] == ["object-store-a", "object-store-b"]  # stores start first
    assert {"ingest-a", "ingest-b", "replicator-a", "replicator-b", "retrain-a"} <= set(names)
    links = {link.name for link in topo.links}
    assert "replicator-a-to-object-store-b" in links
    assert "ingest-a-to-object-store-b" not in links  # async: ingest writes its own region
    assert "inference-a-0-to-object-store-a" in links  # the registry poll


def test_sync_ingest_writes_every_region_and_runs_no_replicator(tmp_path: Path) -> None:
    topo = plan_of(tmp_path, "sync").topology
    links = {link.name for link in topo.links}
    assert {"ingest-a-to-object-store-b", "ingest-b-to-object-store-a"} <= links
    assert not topo.of_service("replicator")


def test_partition_and_isolation_cut_only_links_between_regions(tmp_path: Path) -> None:
    topo = plan_of(tmp_path).topology
    between = {link.name for link in topo.links_between("a", "b")}
    assert between and all(
        {link.src_region, link.dst.region} == {"a", "b"}
        for link in topo.links
        if link.name in between
    )
    assert "ingest-a-to-object-store-a" not in between
    across = {link.name for link in topo.links_across("a")}
    assert "gateway-to-inference-a-0" in across  # the gateway belongs to no region
    assert "ingest-a-to-object-store-a" not in across
    assert between <= across


def test_time_scale_shrinks_pipeline_schedules(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, scale=0.25)
    assert plan.pipeline is not None and plan.pipeline.retrain is not None
    assert plan.pipeline.lag_s == 1.0
    assert plan.pipeline.retrain.every_s == 2.5
    assert plan.pipeline.feed is not None and plan.pipeline.feed.timeout_s == 2.0  # a latency


def test_feed_needs_a_pipeline(tmp_path: Path) -> None:
    head = HEAD.replace(
        "  pipeline: {replication: {mode: MODE, lag: 4s}, retrain: {every: 10s}}\n", ""
    )
    errors = errors_of(tmp_path, "", head)
    assert errors == [
        "p.yaml:8:9: a feed needs a data pipeline to send records to\n"
        "  hint: add stack.pipeline (e.g. `pipeline: {replication: {mode: async}}`)"
    ]


def test_corrupt_data_bad_inputs_are_named(tmp_path: Path) -> None:
    errors = errors_of(
        tmp_path,
        """\
faults:
  - {kind: corrupt_data, target: serving, corruption: label_flip, columns: [amout], at: 12s, duration: 5s}
  - {kind: corrupt_data, target: storage, corruption: scaling, region: c, at: 12s, duration: 5s}
  - {kind: partition, between: [a, z], at: 12s, duration: 5s}
""",
    )
    text = "\n".join(errors)
    assert "label_flip cannot corrupt serving requests" in text
    assert "no column named 'amout'\n  hint: did you mean 'amount'?" in text
    assert "scaling corrupts records, not objects at rest" in text
    assert "no region named 'c'" in text and "no region named 'z'" in text
    assert all(e.startswith("p.yaml:1") for e in errors)  # every error points into the faults


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("severity: 0", "greater than or equal to 1"),
        ("severity: 6", "less than or equal to 5"),
        ("fraction: 1.5", "less than or equal to 1"),
        ("fraction: -0.1", "greater than or equal to 0"),
        ("corruption: scalng", "did you mean 'scaling'"),
    ],
)
def test_corrupt_data_ranges(tmp_path: Path, field: str, message: str) -> None:
    base = {"corruption": "corruption: scaling"}
    key = field.split(":")[0]
    parts = {**base, key: field}
    fault = (
        "  - {kind: corrupt_data, target: ingest, "
        + ", ".join(parts.values())
        + ", at: 12s, duration: 5s}\n"
    )
    errors = errors_of(tmp_path, "faults:\n" + fault)
    assert len(errors) == 1 and message in errors[0] and errors[0].startswith("p.yaml:11:")


def test_shipped_pipeline_scenarios_validate() -> None:
    for name in ("corrupted-data", "dr-replication"):
        scenario, _ = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        assert make_plan(scenario).pipeline is not None
