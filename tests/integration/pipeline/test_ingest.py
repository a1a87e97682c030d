"""Ingest against real object stores: storage before the ack, every quarantine reason, alerts."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import requests

from targets.model import ModelArtifacts
from tests.integration.pipeline.support import EAST, Store, rows, start_ingest
from tests.integration.pipeline_retrain.stores import jsonl, metric, records, wait_for
from tests.integration.targets.conftest import TargetProcess, Targets, free_port

INSTANCE = f"ingest-{EAST}"
KEY = re.compile(rf"^raw/{EAST}/\d{{13}}-{INSTANCE}-\d{{6}}\.jsonl$")
NDJSON = {"Content-Type": "application/x-ndjson"}


def post(proc: Any, body: bytes) -> requests.Response:
    """POST one NDJSON body to /ingest."""
    return requests.post(f"{proc.url}/ingest", data=body, headers=NDJSON, timeout=10)


def alert(proc: Any, check: str) -> float | None:
    """The value of one quality alert of the ingest instance."""
    return metric(proc.url, f'quality_alert{{check="{check}",instance="{INSTANCE}"}}')


def test_good_records_are_stored_once_under_the_documented_key(
    ingest: TargetProcess, model: ModelArtifacts, stores: dict[str, Store]
) -> None:
    east, proc = stores[EAST], ingest
    recs = records(*rows(model, 50))
    reply = post(proc, jsonl(recs))
    assert reply.status_code == 200
    body = reply.json()
    assert body["accepted"] == [r["id"] for r in recs] and body["quarantined"] == []
    assert body["region"] == EAST and KEY.match(body["key"])
    assert east.keys("records") == [body["key"]]
    stored = [json.loads(line) for line in east.body("records", body["key"]).splitlines()]
    assert stored == recs
    assert east.keys("quarantine") == []
    assert metric(proc.url, 'ingest_records_total{outcome="accepted"}') == 50
    assert requests.get(f"{proc.url}/readyz", timeout=5).json()["ready"] is True


def _bad_lines(good: list[dict[str, Any]]) -> list[tuple[bytes, str]]:
    renamed = {("amount_usd" if k == "amount" else k): v for k, v in good[2].items()}
    missing = {k: v for k, v in good[3].items() if k != "balance"}
    cases: list[tuple[dict[str, Any] | bytes, str]] = [
        (b"this is not json", "unparseable"),
        (b'{"id": "rec-x", \xff\xfe\x80}', "unparseable"),
        (b"[1, 2, 3]", "not_an_object"),
        (renamed, "unknown_field:amount_usd"),
        (missing, "missing_field:balance"),
        (dict(good[4], amount="12.5"), "wrong_type:amount"),
        (dict(good[5], ip_risk=None), "null:ip_risk"),
        (dict(good[6], amount=good[6]["amount"] * 1000), "out_of_range:amount"),
        (dict(good[7], label=2), "label_out_of_range"),
        (good[0], "duplicate_in_batch"),
    ]
    return [(c if isinstance(c, bytes) else json.dumps(c).encode(), why) for c, why in cases]


def test_every_quarantine_reason_while_the_other_lines_are_accepted(
    ingest: TargetProcess, model: ModelArtifacts, stores: dict[str, Store]
) -> None:
    east, proc = stores[EAST], ingest
    good = records(*rows(model, 20))
    bad = _bad_lines(good)
    lines = [json.dumps(r).encode() for r in good[:2]] + [line for line, _ in bad]
    lines += [json.dumps(r).encode() for r in good[8:]]
    reply = post(proc, b"\n".join(lines) + b"\n").json()
    assert reply["accepted"] == [r["id"] for r in good[:2] + good[8:]]
    got = [(q["line"], q["reason"]) for q in reply["quarantined"]]
    assert got == [(3 + i, why) for i, (_, why) in enumerate(bad)]
    assert reply["quarantined"][-1]["id"] == good[0]["id"]
    [qkey] = east.keys("quarantine")
    assert re.match(rf"^{EAST}/\d{{13}}-\d{{6}}\.jsonl$", qkey)
    stored = [json.loads(line) for line in east.body("quarantine", qkey).splitlines()]
    assert [(s["line"], s["reason"]) for s in stored] == got
    assert stored[0]["raw"] == "this is not json" and "\ufffd" in stored[1]["raw"]
    assert len(east.body("records", reply["key"]).splitlines()) == 14
    kinds = {why.split(":")[0] for _, why in bad}
    for kind in kinds:
        expected = sum(1 for _, why in bad if why.split(":")[0] == kind)
        assert metric(proc.url, f'ingest_quarantined_total{{reason_kind="{kind}"}}') == expected
    assert metric(proc.url, 'ingest_records_total{outcome="quarantined"}') == len(bad)


def test_quarantine_rate_alert_rises_on_a_bad_stream(
    ingest: TargetProcess, model: ModelArtifacts
) -> None:
    proc = ingest
    good = records(*rows(model, 400))
    post(proc, jsonl(good[:200]))
    assert alert(proc, "quarantine_rate") == 0
    bad = [dict(r, label=7) for r in good[200:220]]  # 10 % of the window
    post(proc, jsonl(good[220:300] + bad))
    assert alert(proc, "quarantine_rate") == 1
    assert alert(proc, "feature_drift") == 0


def test_feature_drift_alert_fires_on_shifted_records(
    ingest: TargetProcess, model: ModelArtifacts
) -> None:
    proc = ingest
    X, y = rows(model, 400)
    post(proc, jsonl(records(X[:200], y[:200])))
    assert alert(proc, "feature_drift") == 0
    shifted = X[200:] + 1.5 * X.std(axis=0)  # a drift that stays inside the accepted range
    reply = post(proc, jsonl(records(shifted, y[200:], 200))).json()
    assert len(reply["accepted"]) == 200
    assert alert(proc, "feature_drift") == 1
    assert (metric(proc.url, "ingest_feature_psi_max") or 0) >= 0.25


def test_oversized_body_is_refused_with_413(
    procs: Targets, model: ModelArtifacts, stores: dict[str, Store]
) -> None:
    proc = start_ingest(procs, model, stores[EAST].url, "--max-body-bytes", "4096")
    reply = post(proc, jsonl(records(*rows(model, 100))))
    assert reply.status_code == 413
    assert stores[EAST].keys("records") == []


def test_unreachable_store_means_not_ready_and_nothing_acknowledged(
    procs: Targets, model: ModelArtifacts
) -> None:
    proc = start_ingest(procs, model, f"http://127.0.0.1:{free_port()}")
    assert requests.get(f"{proc.url}/healthz", timeout=5).status_code == 200
    assert requests.get(f"{proc.url}/readyz", timeout=5).status_code == 503
    reply = post(proc, jsonl(records(*rows(model, 5))))
    assert reply.status_code == 503 and reply.json()["accepted"] == []
    assert metric(proc.url, f'ingest_store_errors_total{{region="{EAST}"}}') == 1


def test_random_bytes_never_cause_a_500(ingest: TargetProcess, model: ModelArtifacts) -> None:
    proc = ingest
    rng = np.random.default_rng(11)
    good = jsonl(records(*rows(model, 3)))
    session = requests.Session()
    for i in range(200):
        noise = rng.integers(0, 256, size=int(rng.integers(0, 2000)), dtype=np.uint8).tobytes()
        body = noise if i % 2 else good + noise.replace(b"\n", b" ") + b"\n" + good
        reply = session.post(f"{proc.url}/ingest", data=body, headers=NDJSON, timeout=10)
        assert reply.status_code == 200, (i, reply.text)
        if i % 2 == 0:
            assert len(reply.json()["accepted"]) == 3
    assert proc.proc.poll() is None
    wait_for(lambda: requests.get(f"{proc.url}/healthz", timeout=5).ok)
