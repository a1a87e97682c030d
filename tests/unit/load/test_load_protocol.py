"""Seeded row order, request bodies and the judging of gateway replies."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from harness.errors import HarnessError
from harness.load.protocol import (
    UNKNOWN_CLASS,
    ClassMap,
    Outgoing,
    ReplyReader,
    RowFeed,
    encode_sample,
    failed_reply,
    make_sample,
    read_reply,
)
from harness.protocols.mlflow import MlflowProtocol
from harness.protocols.open_inference_v2 import OpenInferenceV2Protocol

X = np.arange(12, dtype=np.float32).reshape(6, 2) / 4
Y = np.array([0, 1, 0, 1, 1, 0], dtype=np.int64)


def reply_body(**fields: object) -> bytes:
    base = {
        "predictions": [1],
        "probabilities": [[0.2, 0.8]],
        "model_version": "v1",
        "region": "eu-west-1",
        "instance": "i-1",
        "attempts": 1,
    }
    return json.dumps(base | fields).encode()


def test_same_seed_same_rows_and_every_row_used() -> None:
    a, b = RowFeed(X, Y, seed=3, batch_size=1), RowFeed(X, Y, seed=3, batch_size=1)
    assert [a.rows_for(i) for i in range(12)] == [b.rows_for(i) for i in range(12)]
    assert sorted(a.rows_for(i)[0] for i in range(6)) == list(range(6))
    assert a.rows_for(7) == a.rows_for(1)


def test_other_seed_other_order() -> None:
    orders = {tuple(RowFeed(X, Y, seed=s, batch_size=1).order) for s in range(5)}
    assert len(orders) > 1


def test_body_and_label_of_a_batch() -> None:
    feed = RowFeed(X, Y, seed=1, batch_size=4)
    body, label, row, corruption, path, _ = feed.request(2)
    rows = feed.rows_for(2)
    assert path == "/predict"
    assert json.loads(body) == {"rows": [X[r].tolist() for r in rows]}
    assert label == Y[rows[0]] and row == rows[0] and corruption is None


def test_a_request_in_a_corruption_window_names_it_and_sends_its_rows(tmp_path: Path) -> None:
    np.savez(tmp_path / "unit-change.npz", X=X * 1000)
    feed = RowFeed(X, Y, seed=1, batch_size=1)
    feed.add_corruption(1.0, 2.0, tmp_path / "unit-change.npz")
    before, inside, after = feed.request(3, 0.5), feed.request(3, 1.0), feed.request(3, 2.0)
    row = feed.rows_for(3)[0]
    assert before == after and (before.row, before.corruption) == (row, None)
    assert json.loads(before.body) == {"rows": [X[row].tolist()]}
    assert inside.corruption == "unit-change" and inside.row == row
    assert json.loads(inside.body) == {"rows": [(X[row] * 1000).tolist()]}


def test_the_sample_records_the_row_and_corruption_its_request_carried() -> None:
    sent = Outgoing(b'{"rows":[[0.5]]}', 1, 4, "unit-change-s5")
    sample = make_sample(1.0, 1.01, 10.0, sent, read_reply(200, reply_body(), 1), request=9)
    assert (sample.request, sample.row, sample.corruption) == (9, 4, "unit-change-s5")
    assert sample.label == 1 and sample.correct is True


def test_load_npz_and_bad_files(tmp_path: Path) -> None:
    good = tmp_path / "h.npz"
    np.savez(good, X=X, y=Y)
    assert len(RowFeed.load(good, 0, 1).order) == 6
    bad = tmp_path / "bad.npz"
    np.savez(bad, X=X, labels=Y)
    with pytest.raises(HarnessError, match="cannot read held-out file"):
        RowFeed.load(bad, 0, 1)
    with pytest.raises(HarnessError, match="must be X"):
        RowFeed(X, Y[:3], 0, 1)


def test_ok_reply_fills_prediction_and_where_it_was_served() -> None:
    reply = read_reply(200, reply_body(), batch_size=1)
    assert reply.ok and reply.predicted == 1 and reply.region == "eu-west-1"
    assert reply.instance == "i-1" and reply.model_version == "v1" and reply.error is None


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b"[1]",
        reply_body(predictions=[]),
        reply_body(predictions=[{"class": 1}]),
        reply_body(predictions=None),
        reply_body(predictions=[1, 0]),
    ],
)
def test_malformed_200_is_not_ok(content: bytes) -> None:
    reply = read_reply(200, content, batch_size=1)
    assert not reply.ok and reply.status == 200 and reply.predicted is None
    assert reply.error and reply.error.startswith("malformed reply")


def test_error_status_keeps_status_and_message() -> None:
    reply = read_reply(503, b'{"error": "no healthy region"}', batch_size=1)
    assert (reply.ok, reply.status, reply.error) == (False, 503, "HTTP 503: no healthy region")
    assert (
        read_reply(502, b"<html>bad gateway</html>", 1).error
        == "HTTP 502: <html>bad gateway</html>"
    )
    assert read_reply(500, None, 1).error == "HTTP 500"


def sent(label: int) -> Outgoing:
    return Outgoing(b'{"rows":[[0.5]]}', label, 0, None)


def test_make_sample_sets_correct_only_when_predicted() -> None:
    good = make_sample(1.0, 1.01, 10.0, sent(1), reply=read_reply(200, reply_body(), 1))
    wrong = make_sample(1.0, 1.01, 10.0, sent(0), reply=read_reply(200, reply_body(), 1))
    lost = make_sample(1.0, 1.5, 500.0, sent(0), reply=failed_reply("timeout"))
    assert (good.correct, wrong.correct, lost.correct) == (True, False, None)
    assert (lost.status, lost.ok, lost.label, lost.error) == (0, False, 0, "timeout")


def test_fast_encoder_matches_sample_to_json() -> None:
    sample = make_sample(1.0, 1.5, 500.0, sent(0), reply=failed_reply('timeout "x"\n'))
    assert encode_sample(sample) == sample.to_json()
    ok = make_sample(1.0, 1.01, 10.0, sent(1), reply=read_reply(200, reply_body(), 1))
    assert encode_sample(ok) == ok.to_json()


def test_the_feed_encodes_in_the_service_s_protocol() -> None:
    feed = RowFeed(X, Y, 1, 2, OpenInferenceV2Protocol(model="bc"), ["a", "b"])
    out = feed.request(0)
    rows = feed.rows_for(0)
    assert out.path == "/v2/models/bc/infer"
    tensor = json.loads(out.body)["inputs"][0]
    assert tensor["shape"] == [2, 2] and tensor["data"] == X[rows].ravel().tolist()
    assert (out.label, out.row) == (Y[rows[0]], rows[0])


def test_where_it_was_served_comes_from_the_gateway_headers() -> None:
    reader = ReplyReader(MlflowProtocol(), (0, 1), 1)
    headers = {"X-Harness-Region": "us-east-1", "X-Harness-Instance": "us-east-1-inference-0"}
    reply = reader.read(200, b'{"predictions": [1]}', headers)
    assert reply.ok and reply.predicted == 1
    assert (reply.region, reply.instance) == ("us-east-1", "us-east-1-inference-0")


def test_an_answer_in_another_protocol_is_a_failed_sample_with_the_reason() -> None:
    reader = ReplyReader(OpenInferenceV2Protocol(model="bc"), (0, 1), 1)
    reply = reader.read(200, b'{"predictions": [1]}', {"X-Harness-Instance": "i-0"})
    assert not reply.ok and reply.predicted is None and reply.instance == "i-0"
    assert reply.error == "malformed reply: answer has no 'outputs' (keys: 'predictions')"
    lost = reader.read(404, b"404: Not Found", {})
    assert (lost.ok, lost.error) == (False, "HTTP 404: 404: Not Found")


def test_class_values_probabilities_and_unknown_values() -> None:
    numbers, names = ClassMap((0, 1)), ClassMap(("benign", "malignant"))
    assert [numbers.index(v) for v in (0, 1, 1.0, "1", True)] == [0, 1, 1, 1, 1]
    assert numbers.index([0.2, 0.8]) == 1 and numbers.index([0.1, 0.2, 0.7]) == UNKNOWN_CLASS
    assert numbers.index(7) == UNKNOWN_CLASS and numbers.index("yes") == UNKNOWN_CLASS
    assert names.index("malignant") == 1 and names.index([0.9, 0.1]) == 0


def test_a_value_outside_the_classes_is_ok_but_never_correct() -> None:
    reply = ReplyReader(MlflowProtocol(), ("benign", "malignant"), 1).read(
        200, b'{"predictions": ["unsure"]}'
    )
    assert reply.ok and reply.predicted == UNKNOWN_CLASS
    sample = make_sample(1.0, 1.01, 10.0, sent(0), reply)
    assert sample.correct is False
