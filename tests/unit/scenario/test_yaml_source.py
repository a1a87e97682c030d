"""What a loaded scenario keeps of its file."""

from __future__ import annotations

from pathlib import Path

from harness.scenario.loader import load_scenario

TEXT = """\
name: demo
stack:
  architecture: active-passive
  regions: [{name: us-east-1}, {name: eu-west-1}]
load:
  rate: 20
  phases: {baseline: 10s, fault: 20s, recovery: 10s}
"""


def test_the_source_keeps_the_text_it_parsed(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(TEXT)
    _, source = load_scenario(path)
    path.write_text("edited during the run\n")  # the run reports what it ran, not this
    assert source.text == TEXT
