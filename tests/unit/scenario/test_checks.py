"""Cross-section checks: every error of a fault is reported, none hides another."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import ScenarioError
from harness.scenario.loader import load_scenario

# Line numbers matter: the tests below name them.
HEAD = """\
name: p
stack:
  architecture: active-passive
  regions: [{name: a}, {name: b}]
  pipeline: {replication: {mode: async}}
load:
  rate: 10
  phases: {baseline: 10s, fault: 20s, recovery: 10s}
faults:
  - kind: corrupt_data
    target: serving
    corruption: gaussian_noise
    columns: [amout]
    at: 2s
    duration: 5s
"""


def errors_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [e.render().replace(str(path), "p.yaml") for e in info.value.errors]


def test_a_column_typo_does_not_hide_a_start_inside_the_baseline(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, HEAD)
    assert errors == [
        "p.yaml:13:15: no column named 'amout'\n  hint: did you mean 'amount'?",
        "p.yaml:14:9: fault starts at 2s, inside the baseline phase (0–10s)\n"
        "  hint: start it at 10s or later",
    ]


def test_a_start_inside_the_baseline_and_an_end_past_the_run_are_two_errors(
    tmp_path: Path,
) -> None:
    text = HEAD.replace("    columns: [amout]\n", "").replace("duration: 5s", "duration: 60s")
    errors = errors_of(tmp_path, text)
    assert [e.split("\n")[0] for e in errors] == [
        "p.yaml:13:9: fault starts at 2s, inside the baseline phase (0–10s)",
        "p.yaml:14:15: fault outlasts the run: it ends at 62s, the run ends at 40s",
    ]


def test_a_column_typo_does_not_hide_an_end_past_the_run(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, HEAD.replace("at: 2s", "at: 12s").replace("5s", "60s"))
    assert [e.split("\n")[0] for e in errors] == [
        "p.yaml:13:15: no column named 'amout'",
        "p.yaml:15:15: fault outlasts the run: it ends at 72s, the run ends at 40s",
    ]
