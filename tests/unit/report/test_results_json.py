"""results.json: golden file, round trip, atomic writes, clear errors on bad files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from harness.errors import HarnessError
from harness.report import results_json, write_all
from harness.results import SCHEMA_VERSION, Results

GOLDEN = Path(__file__).parent / "golden" / "results.json"


def test_golden_file_is_what_the_builder_makes(results: Results, built_results: Results) -> None:
    # If this fails after a deliberate change, regenerate: python tests/unit/report/make_golden.py
    assert results == built_results
    assert json.loads(GOLDEN.read_text())["schema_version"] == SCHEMA_VERSION


def test_round_trip(results: Results, tmp_path: Path) -> None:
    path = results_json.write(results, tmp_path)
    assert path == tmp_path / "results.json"
    assert results_json.read(path) == results


def test_pretty_printed_and_newline_terminated(results: Results, tmp_path: Path) -> None:
    text = results_json.write(results, tmp_path).read_text()
    assert text.startswith('{\n  "schema_version": ')
    assert text.endswith("}\n")


def test_creates_missing_folder_and_leaves_no_temp_file(results: Results, tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    results_json.write(results, out)
    assert sorted(p.name for p in out.iterdir()) == ["results.json"]


def test_failed_replace_keeps_old_file_and_removes_temp(
    results: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = results_json.write(results, tmp_path)
    before = path.read_bytes()

    def boom(src: str, dst: str) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk gone"):
        results_json.write(results.model_copy(update={"seed": 7}), tmp_path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]


def test_read_invalid_file_is_a_harness_error(tmp_path: Path) -> None:
    bad = tmp_path / "results.json"
    bad.write_text('{"schema_version": 1}')
    with pytest.raises(HarnessError, match=r"not a valid results\.json") as err:
        results_json.read(bad)
    assert str(bad) in err.value.render()


def test_read_missing_file_is_a_harness_error(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="cannot read results"):
        results_json.read(tmp_path / "nope.json")


def test_read_newer_schema_is_refused(results: Results, tmp_path: Path) -> None:
    newer = results.model_copy(update={"schema_version": SCHEMA_VERSION + 1})
    with pytest.raises(HarnessError, match="newer"):
        results_json.read(results_json.write(newer, tmp_path))


def test_write_all_writes_results_then_report(results: Results, tmp_path: Path) -> None:
    written = write_all(results, tmp_path)
    assert written == {
        "results.json": tmp_path / "results.json",
        "report.html": tmp_path / "report.html",
        "junit.xml": tmp_path / "junit.xml",
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "junit.xml",
        "report.html",
        "results.json",
    ]
