"""The CLI's light commands, called in-process through `main(argv)`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_schema_describes_faults_and_objectives(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    defs = schema["$defs"]
    assert defs["RegionOutageSpec"]["properties"]["kind"]["const"] == "region_outage"
    assert "p99_latency" in defs["SloSpec"]["properties"]["metric"]["enum"]
    assert defs["SloSpec"]["properties"]["objective"]["type"] == "string"


def test_validate_shipped_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml"))
    assert main(["validate", *files]) == 0
    assert capsys.readouterr().out.count(": ok") == len(files)


def test_unknown_backend_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", str(ROOT / "scenarios" / "latency-spike.yaml"), "--backend", "procss"])
    assert code == 2
    assert "did you mean 'process'?" in capsys.readouterr().err


def test_bad_time_scale_is_bad_input() -> None:
    assert main(["run", "x.yaml", "--time-scale", "0"]) == 2
