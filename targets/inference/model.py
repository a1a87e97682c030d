"""Load the ONNX model single-threaded, validate request rows and run predictions."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

__all__ = ["InputError", "OnnxModel", "Prediction", "parse_rows", "resolve_model_version"]

_NUMERIC = (int, float)


class InputError(ValueError):
    """A request body that cannot be turned into a feature matrix; maps to HTTP 400."""


@dataclass(frozen=True)
class Prediction:
    """Labels and class probabilities, as plain lists ready for JSON."""

    labels: list[int]
    probabilities: list[list[float]]


def _feature_width(name: str, shape: list[Any]) -> int:
    # A symbolic or missing width would let any row length through to onnxruntime.
    width = shape[1] if len(shape) == 2 else None
    if isinstance(width, int):
        return width
    raise ValueError(f"model input {name} has no fixed feature width: {shape}")


class OnnxModel:
    """An onnxruntime session with one intra-op and one inter-op thread (one core per instance)."""

    def __init__(self, source: Path | bytes) -> None:
        """Load a model from a file path or from the model's bytes (a registry download)."""
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            source if isinstance(source, bytes) else str(source),
            sess_options=opts,
            providers=["CPUExecutionProvider"],
        )
        first = self.session.get_inputs()[0]
        self.input_name: str = first.name
        self.n_features: int = _feature_width(first.name, first.shape)
        self.output_names = [o.name for o in self.session.get_outputs()[:2]]

    def predict(self, X: np.ndarray) -> Prediction:
        """Run the model on a float32 matrix of shape (rows, n_features)."""
        labels, probs = self.session.run(self.output_names, {self.input_name: X})
        return Prediction(
            labels=np.asarray(labels).astype(np.int64).tolist(),
            probabilities=np.asarray(probs, dtype=np.float32).tolist(),
        )


def _is_finite_number(value: Any) -> bool:
    # bool is an int subclass and strings would coerce in numpy: refuse both.
    if type(value) not in _NUMERIC:
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def parse_rows(body: Any, n_features: int, max_rows: int) -> np.ndarray:
    """Turn `{"rows": [[...], ...]}` into a float32 matrix or raise InputError saying why."""
    if not isinstance(body, dict) or "rows" not in body:
        raise InputError('body must be a JSON object with a "rows" list')
    rows = body["rows"]
    if not isinstance(rows, list) or not rows:
        raise InputError('"rows" must be a non-empty list of rows')
    if len(rows) > max_rows:
        raise InputError(f'"rows" has {len(rows)} rows, more than the limit {max_rows}')
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != n_features:
            raise InputError(f"row {i} must be a list of {n_features} numbers")
        for j, value in enumerate(row):
            if not _is_finite_number(value):
                raise InputError(f"row {i} column {j} is not a finite number: {value!r}")
    X = np.asarray(rows, dtype=np.float32)
    if not np.isfinite(X).all():
        raise InputError("a value overflows float32")
    return X


def resolve_model_version(model_path: Path, override: str | None) -> tuple[str, str]:
    """Return (model_version, sha256): the override, else manifest.json beside a matching model."""
    sha = hashlib.sha256(model_path.read_bytes()).hexdigest()
    if override:
        return override, sha
    try:
        manifest = json.loads(model_path.with_name("manifest.json").read_text())
    except (OSError, ValueError):
        manifest = {}
    if isinstance(manifest, dict) and manifest.get("sha256") == sha:
        return str(manifest.get("model_version", f"sha-{sha[:12]}")), sha
    # No manifest, or one that describes other bytes (a swapped or corrupted file).
    return f"sha-{sha[:12]}", sha
