"""Train the reference fraud model, export it to ONNX and cache the artefacts by input hash."""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from targets.model.dataset import DATASET_PARAMS, FEATURES, Dataset, make_dataset
from targets.model.profile import reference_profile

__all__ = [
    "INPUT_NAME",
    "MODEL_PARAMS",
    "ModelArtifacts",
    "build_model",
    "cache_key",
    "main",
    "onnx_accuracy",
    "to_onnx",
    "train",
]

INPUT_NAME = "input"
MODEL_PARAMS: dict[str, Any] = {
    "pipeline": ["StandardScaler", "LogisticRegression"],
    "C": 1.0,
    "max_iter": 1000,
    "target_opset": {"": 17, "ai.onnx.ml": 3},
}
_LIBS = ("scikit-learn", "skl2onnx", "onnx", "numpy")
_SOURCES = (
    Path(__file__),
    Path(__file__).with_name("dataset.py"),
    Path(__file__).with_name("profile.py"),
)


@dataclass(frozen=True)
class ModelArtifacts:
    """Where the built model lives and what it is."""

    out_dir: Path
    model_path: Path
    holdout_path: Path
    manifest_path: Path
    profile_path: Path
    stream_path: Path
    model_version: str
    sha256: str
    accuracy: float
    n_features: int
    cache_hit: bool


def cache_key(seed: int) -> str:
    """Hash every input of the build: seed, parameters, library versions and this source."""
    inputs = {
        "seed": seed,
        "dataset": DATASET_PARAMS,
        "features": FEATURES,
        "model": MODEL_PARAMS,
        "libs": {lib: metadata.version(lib) for lib in _LIBS},
        "sources": [hashlib.sha256(p.read_bytes()).hexdigest() for p in _SOURCES],
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    # A reader (or a concurrent build) never sees a half-written file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _artifacts(out_dir: Path, manifest: dict[str, Any], cache_hit: bool) -> ModelArtifacts:
    return ModelArtifacts(
        out_dir=out_dir,
        model_path=out_dir / "model.onnx",
        holdout_path=out_dir / "holdout.npz",
        manifest_path=out_dir / "manifest.json",
        profile_path=out_dir / "profile.json",
        stream_path=out_dir / "stream.npz",
        model_version=manifest["model_version"],
        sha256=manifest["sha256"],
        accuracy=float(manifest["holdout_accuracy"]),
        n_features=int(manifest["n_features"]),
        cache_hit=cache_hit,
    )


def _cached(out_dir: Path, key: str) -> ModelArtifacts | None:
    """Return the artefacts when the manifest has this key and the files are intact."""
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text())
        intact = (
            manifest.get("cache_key") == key
            and all((out_dir / f).is_file() for f in ("holdout.npz", "stream.npz", "profile.json"))
            and _sha256(out_dir / "model.onnx") == manifest.get("sha256")
        )
    except (OSError, ValueError):
        return None
    return _artifacts(out_dir, manifest, cache_hit=True) if intact else None


def train(X: np.ndarray, y: np.ndarray) -> Any:
    """Fit the reference pipeline (StandardScaler + LogisticRegression) on X, y."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = Pipeline(
        [
            ("scaler", StandardScaler()),
            ("clf", LogisticRegression(C=MODEL_PARAMS["C"], max_iter=MODEL_PARAMS["max_iter"])),
        ]
    )
    return pipe.fit(X, y)


def to_onnx(pipe: Any, n_features: int) -> bytes:
    """Export a fitted pipeline to ONNX bytes: float input `input`, outputs label and probabilities."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType

    onx = convert_sklearn(
        pipe,
        initial_types=[(INPUT_NAME, FloatTensorType([None, n_features]))],
        options={id(pipe.named_steps["clf"]): {"zipmap": False}},
        target_opset=MODEL_PARAMS["target_opset"],
    )
    onx.graph.name = "fraud_model"  # skl2onnx names graphs by uuid; keep the bytes reproducible
    return bytes(onx.SerializeToString())


def onnx_accuracy(model_bytes: bytes, X: np.ndarray, y: np.ndarray) -> float:
    """Return the accuracy of the exported model on X, y (score what is served, not sklearn's)."""
    import onnxruntime as ort

    sess = ort.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
    labels = sess.run(None, {INPUT_NAME: X})[0]
    return float(np.mean(labels == y))


def _npz(X: np.ndarray, y: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, X=X.astype(np.float32), y=y.astype(np.int64))
    return buf.getvalue()


def _manifest(key: str, seed: int, data: Dataset, sha: str, accuracy: float) -> dict[str, Any]:
    return {
        "model_version": f"fraud-lr-{sha[:12]}",
        "sha256": sha,
        "cache_key": key,
        "seed": seed,
        "n_features": len(FEATURES),
        "feature_names": data.feature_names,
        "input_name": INPUT_NAME,
        "outputs": ["label", "probabilities"],
        "holdout_accuracy": round(accuracy, 6),
        "holdout_rows": len(data.y_holdout),
        "holdout_positive_rate": round(float(data.y_holdout.mean()), 6),
        "train_rows": len(data.y_train),
        "train_params": {"dataset": DATASET_PARAMS, "model": MODEL_PARAMS},
        "libs": {lib: metadata.version(lib) for lib in _LIBS},
        "files": {
            "model": "model.onnx",
            "holdout": "holdout.npz",
            "stream": "stream.npz",
            "profile": "profile.json",
        },
        "built_at": round(time.time(), 3),
    }


def build_model(out_dir: Path, seed: int = 7) -> ModelArtifacts:
    """Build model.onnx, holdout/stream.npz, profile.json and manifest.json, or reuse a match."""
    out_dir = Path(out_dir)
    key = cache_key(seed)
    cached = _cached(out_dir, key)
    if cached is not None:
        return cached
    out_dir.mkdir(parents=True, exist_ok=True)
    data = make_dataset(seed)
    model_bytes = to_onnx(train(data.X_train, data.y_train), len(FEATURES))
    accuracy = onnx_accuracy(model_bytes, data.X_holdout, data.y_holdout)
    _write_atomic(out_dir / "holdout.npz", _npz(data.X_holdout, data.y_holdout))
    # The feed's records: the training split in a seeded order (same distribution as training).
    order = np.random.default_rng(seed).permutation(len(data.y_train))
    _write_atomic(out_dir / "stream.npz", _npz(data.X_train[order], data.y_train[order]))
    profile = reference_profile(data.X_train, data.feature_names)
    _write_atomic(out_dir / "profile.json", json.dumps(profile, indent=1).encode() + b"\n")
    _write_atomic(out_dir / "model.onnx", model_bytes)
    sha = hashlib.sha256(model_bytes).hexdigest()
    manifest = _manifest(key, seed, data, sha, accuracy)
    _write_atomic(out_dir / "manifest.json", json.dumps(manifest, indent=2).encode() + b"\n")
    return _artifacts(out_dir, manifest, cache_hit=False)


def main(argv: list[str] | None = None) -> int:
    """Build (or reuse) the model from the command line and print the manifest path."""
    parser = argparse.ArgumentParser(prog="python -m targets.model.build", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=7, help="dataset and split seed")
    args = parser.parse_args(argv)
    artifacts = build_model(args.out, seed=args.seed)
    print(artifacts.manifest_path, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
