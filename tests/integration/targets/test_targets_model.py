"""The model build: a loadable ONNX model, accuracy in range, and a content-keyed cache."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort

from targets.model import ModelArtifacts, build_model
from targets.model.build import cache_key

REPO = Path(__file__).resolve().parents[3]


def test_build_writes_loadable_onnx_and_manifest(model: ModelArtifacts) -> None:
    manifest = json.loads(model.manifest_path.read_text())
    assert manifest["sha256"] == hashlib.sha256(model.model_path.read_bytes()).hexdigest()
    assert manifest["model_version"] == model.model_version
    assert manifest["n_features"] == 20 == len(manifest["feature_names"])
    sess = ort.InferenceSession(str(model.model_path), providers=["CPUExecutionProvider"])
    assert sess.get_inputs()[0].name == "input"
    assert [o.name for o in sess.get_outputs()] == ["label", "probabilities"]
    holdout = np.load(model.holdout_path)
    X, y = holdout["X"], holdout["y"]
    assert X.dtype == np.float32 and y.dtype == np.int64 and X.shape == (len(y), 20)
    labels, probs = sess.run(None, {"input": X})
    accuracy = float(np.mean(labels == y))
    assert 0.85 <= accuracy <= 0.95
    assert abs(accuracy - manifest["holdout_accuracy"]) < 1e-6
    assert probs.shape == (len(y), 2)
    assert 0.10 <= float(y.mean()) <= 0.25  # imbalanced, fraud-like


def test_second_build_is_a_cache_hit(model: ModelArtifacts) -> None:
    mtimes = {
        p: p.stat().st_mtime_ns for p in (model.model_path, model.holdout_path, model.manifest_path)
    }
    again = build_model(model.out_dir, seed=7)
    assert again.cache_hit and again.sha256 == model.sha256
    out = subprocess.run(
        [sys.executable, "-m", "targets.model.build", "--out", str(model.out_dir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == str(model.manifest_path)
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes


def test_cache_key_depends_on_seed() -> None:
    assert cache_key(7) == cache_key(7)
    assert cache_key(7) != cache_key(8)


def test_corrupted_model_file_is_rebuilt(model: ModelArtifacts, tmp_path) -> None:
    out = tmp_path / "copy"
    out.mkdir()
    for p in (model.model_path, model.holdout_path, model.manifest_path):
        (out / p.name).write_bytes(p.read_bytes())
    (out / "model.onnx").write_bytes(b"garbage")
    rebuilt = build_model(out, seed=7)
    assert not rebuilt.cache_hit
    assert rebuilt.sha256 == model.sha256  # the build is reproducible byte for byte
