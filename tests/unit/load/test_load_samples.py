"""Sample JSON and CSV round trips."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from harness.load.samples import Sample, SampleCsvWriter, read_samples_csv

FULL = Sample(
    t_start=1.25,
    t_end=1.5,
    ok=True,
    status=200,
    latency_ms=250.0,
    region="us-east-1",
    instance="inference-0",
    predicted=1,
    label=0,
    correct=False,
    model_version="v2",
    request=7,
    row=4211,
    corruption="unit-change-s3",
)
FAILED = Sample(
    t_start=2.0,
    t_end=2.4,
    ok=False,
    status=0,
    latency_ms=400.123,
    label=1,
    error='timeout: "no reply", within 0.4s\nsecond line',
)


def test_json_round_trip_keeps_every_field() -> None:
    for sample in (FULL, FAILED):
        assert Sample.from_dict(json.loads(sample.to_json())) == sample


def test_json_is_one_line() -> None:
    assert "\n" not in FAILED.to_json()


def test_from_dict_ignores_unknown_keys() -> None:
    data = json.loads(FULL.to_json()) | {"attempts": 3}
    assert Sample.from_dict(data) == FULL


def test_csv_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "samples.csv"
    writer = SampleCsvWriter(path)
    for sample in (FULL, FAILED):
        writer.write(sample)
    writer.close()
    assert read_samples_csv(path) == [FULL, FAILED]


def test_csv_is_readable_while_open(tmp_path: Path) -> None:
    path = tmp_path / "samples.csv"
    writer = SampleCsvWriter(path)
    writer.write(FULL)
    assert read_samples_csv(path) == [FULL]
    writer.close()


def test_csv_of_an_older_run_without_row_columns_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "samples.csv"
    writer = SampleCsvWriter(path)
    writer.write(FAILED)
    writer.close()
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(r[:-2] for r in rows)  # without `row` and `corruption`
    (sample,) = read_samples_csv(path)
    assert sample == FAILED and sample.row is None and sample.corruption is None
