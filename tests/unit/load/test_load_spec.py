"""Load spec validation (127.0.0.1 only) and the summary line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.errors import HarnessError
from harness.load.runner import find_summary
from harness.load.spec import LoadSpec, LoadSummary, check_gateway_url
from harness.load.stats import RunStats, summarize


def make_spec(**over: Any) -> LoadSpec:
    base: dict[str, Any] = {
        "gateway_url": "http://127.0.0.1:8080",
        "holdout_path": "holdout.npz",
        "rate": 50.0,
        "duration_s": 3.0,
        "t0_epoch": 1_700_000_000.0,
        "seed": 7,
        "timeout_s": 0.5,
    }
    return LoadSpec(**(base | over))


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://127.0.0.1:8080/", "http://127.0.0.1:1/v1"]
)
def test_loopback_urls_are_accepted(url: str) -> None:
    assert check_gateway_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8080",
        "http://10.0.0.5:8080",
        "http://0.0.0.0:8080",
        "http://[::1]:8080",
        "https://127.0.0.1:8443",
        "http://127.0.0.1",
        "http://127.0.0.1.example.com:80",
        "http://user:pw@127.0.0.1:80",
        "127.0.0.1:8080",
    ],
)
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(HarnessError):
        check_gateway_url(url)


def test_spec_refuses_remote_gateway_with_clear_message() -> None:
    with pytest.raises(HarnessError, match=r"only http://127\.0\.0\.1:PORT is allowed"):
        make_spec(gateway_url="http://192.168.1.10:8080")


@pytest.mark.parametrize(
    "over", [{"rate": 0}, {"duration_s": -1}, {"timeout_s": float("nan")}, {"batch_size": 0}]
)
def test_spec_refuses_bad_numbers(over: dict[str, Any]) -> None:
    with pytest.raises(HarnessError):
        make_spec(**over)


def test_spec_file_round_trip(tmp_path: Path) -> None:
    spec = make_spec(holdout_path=tmp_path / "h.npz", batch_size=4, run_id="run-1")
    path = tmp_path / "spec.json"
    spec.write(path)
    back = LoadSpec.read(path)
    assert back == make_spec(holdout_path=str(tmp_path / "h.npz"), batch_size=4, run_id="run-1")
    assert back.predict_url == "http://127.0.0.1:8080/predict"
    assert back.planned_requests == 150


def test_spec_file_with_unknown_field_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(json.loads(make_spec().to_json()) | {"rps": 3}))
    with pytest.raises(HarnessError, match="unknown field"):
        LoadSpec.read(path)


def test_summary_line_round_trip_and_search() -> None:
    stats = RunStats(sent=150, completed=150, ok=140, send_window_s=3.0, max_lag_s=0.002)
    summary = summarize(make_spec(), stats, cpu_percent=12.0, cpu_warning=False)
    assert summary.achieved_rate == 50.0 and summary.failed == 10 and not summary.cpu_bound
    lines = ["2024 locust INFO spawned", summary.to_line(), "bye"]
    assert LoadSummary.from_line(lines[0]) is None
    assert find_summary(lines) == summary


def test_summary_flags_cpu_bound_generator() -> None:
    summary = summarize(
        make_spec(), RunStats(send_window_s=1.0), cpu_percent=97.0, cpu_warning=False
    )
    assert summary.cpu_bound


def test_spec_carries_the_protocol_features_and_classes(tmp_path: Path) -> None:
    v2 = {"kind": "open-inference-v2", "model": "bc", "datatype": "FP64"}
    spec = make_spec(protocol=v2, features=("a", "b"), classes=("no", "yes"))
    path = tmp_path / "spec.json"
    spec.write(path)
    back = LoadSpec.read(path)
    assert back == spec
    assert back.protocol_spec().request_path() == "/v2/models/bc/infer"
    assert make_spec().protocol_spec().kind == "harness"


def test_a_bad_protocol_is_a_harness_error() -> None:
    with pytest.raises(HarnessError, match="protocol must be a mapping with a kind"):
        make_spec(protocol="mlflow")
    with pytest.raises(HarnessError, match=r"(?s)bad protocol.*model"):
        make_spec(protocol={"kind": "open-inference-v2"}).protocol_spec()
