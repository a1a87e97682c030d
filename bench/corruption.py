"""Print the corruption calibration table: reference-model accuracy per kind and severity (ImageNet-C style).

Run: `.venv/bin/python bench/corruption.py [--seeds 3] [--byte-trials 20] [--out FILE]`. Builds
(or reuses) the reference model with seed 7, corrupts its held-out set with every frame kind
that applies to serving features at severities 1..5, and scores it with onnxruntime on the
CPU, averaged over the seeds 0..seeds-1. Then corrupts the model.onnx bytes with every bytes
kind and reports how many copies onnxruntime still loads and how accurate those are. Prints
Markdown (to paste into the README); `--out` writes the same text to a file.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import onnxruntime as ort
import pandas as pd

from harness import settings
from harness.corrupt import CORRUPTIONS, SEVERITIES, Target, corrupt_bytes, corrupt_frame
from targets.model import build_model
from targets.model.dataset import FEATURES

NAMES = [name for name, _, _ in FEATURES]
# Serving requests carry no label and are predicted row by row, so label_flip, duplicate_records
# and reorder_records cannot move the accuracy of a request: they are calibrated elsewhere.
NOT_ON_SERVING = {"label_flip", "duplicate_records", "reorder_records"}
NOTES = (
    "Accuracy (%) of the reference model (seed 7) on its held-out set, corrupted at severity "
    "1..5 and averaged over {seeds} corruption seeds; `mean` is the mean of s1..s5.",
    "A row the inference server would reject (`targets/inference/model.py`: not exactly 20 "
    "values, or a value that is not a finite number: NaN, a string) counts as a wrong "
    "prediction; no imputation. Each column picks its own rows, so over 20 features a row "
    "stays whole with probability (1 − fraction)^20: 36% at s1 (missing_values, "
    "encoding_garbage).",
    "Rows are sent positionally in the corrupted frame's column order, so a renamed column "
    "is harmless and a dropped, extra or retyped one rejects every row (schema_drift).",
    "Not on serving features: " + ", ".join(sorted(NOT_ON_SERVING)) + " (no label in a "
    "request, and rows are predicted independently).",
)


@dataclass(frozen=True)
class Reference:
    """The model under test and its clean held-out set."""

    model_bytes: bytes
    X: np.ndarray
    y: np.ndarray


def load_reference(cache_dir: Path) -> Reference:
    """Build (or reuse) the reference model and read its held-out set."""
    artifacts = build_model(cache_dir, seed=7)
    holdout = np.load(artifacts.holdout_path)
    return Reference(artifacts.model_path.read_bytes(), holdout["X"], holdout["y"])


def session(model_bytes: bytes) -> ort.InferenceSession:
    """Load a model from bytes on the CPU provider."""
    opts = ort.SessionOptions()
    opts.log_severity_level = 4  # corrupted models are expected: keep ORT's error log quiet
    # ORT prints "EP Error ... falling back" on stdout before re-raising; keep the table clean.
    with contextlib.redirect_stdout(io.StringIO()):
        return ort.InferenceSession(model_bytes, opts, providers=["CPUExecutionProvider"])


def predict(sess: ort.InferenceSession, X: np.ndarray) -> np.ndarray:
    """Return the predicted labels of a float32 matrix."""
    labels = sess.run(None, {sess.get_inputs()[0].name: X})[0]
    return np.asarray(labels).astype(np.int64).reshape(-1)


def accepted_rows(frame: pd.DataFrame) -> np.ndarray:
    """Return which rows the inference server would accept: 20 finite numbers, no bool, no str."""
    if frame.shape[1] != len(NAMES):
        return np.zeros(len(frame), dtype=bool)
    ok = np.ones(len(frame), dtype=bool)
    for col in frame.columns:
        series = frame[col]
        if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iuf":
            ok &= np.isfinite(series.to_numpy(dtype=np.float64))
            continue
        values = series.to_numpy(dtype=object)
        ok &= np.fromiter((_is_finite_number(v) for v in values), dtype=bool, count=len(values))
    return ok


def _is_finite_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return False
    return bool(np.isfinite(float(value)))


def frame_accuracy(sess: ort.InferenceSession, frame: pd.DataFrame, y: np.ndarray) -> float:
    """Return the accuracy over all rows, a rejected row counting as wrong."""
    ok = accepted_rows(frame)
    if not ok.any():
        return 0.0
    X = frame[ok].to_numpy(dtype=np.float32)
    return float((predict(sess, X) == y[ok]).sum() / len(y))


def frame_table(ref: Reference, kinds: Sequence[str], seeds: int) -> list[list[str]]:
    """Return one row per kind: clean, s1..s5 and mean accuracy in percent."""
    sess, clean_frame = session(ref.model_bytes), pd.DataFrame(ref.X, columns=NAMES)
    clean = frame_accuracy(sess, clean_frame, ref.y)
    rows = []
    for kind in kinds:
        per_severity = [
            statistics.fmean(
                frame_accuracy(sess, corrupt_frame(clean_frame, kind, severity=s, seed=k)[0], ref.y)
                for k in range(seeds)
            )
            for s in SEVERITIES
        ]
        rows.append(
            [kind, pct(clean), *map(pct, per_severity), pct(statistics.fmean(per_severity))]
        )
    return rows


def bytes_table(ref: Reference, kinds: Sequence[str], trials: int) -> list[list[str]]:
    """Return one row per kind and severity: shares that load and run, and their accuracy."""
    rows = []
    for kind in kinds:
        for s in SEVERITIES:
            copies = [
                corrupt_bytes(ref.model_bytes, kind, severity=s, seed=k) for k in range(trials)
            ]
            outcomes = [model_outcome(ref, data) for data in copies]
            loads = sum(loaded for loaded, _ in outcomes)
            accs = [acc for _, acc in outcomes if acc is not None]
            shares = [pct(loads / trials), pct(len(accs) / trials)]
            rows.append([kind, str(s), *shares, pct(statistics.fmean(accs)) if accs else "–"])
    return rows


def model_outcome(ref: Reference, data: bytes) -> tuple[bool, float | None]:
    """Return whether a corrupted model loads, and its accuracy on the clean set if it runs."""
    try:
        sess = session(data)
    except Exception:  # any load failure is the outcome being measured
        return False, None
    try:
        return True, float((predict(sess, ref.X) == ref.y).mean())
    except Exception:  # it loads, then fails at run time
        return True, None


def pct(share: float) -> str:
    """Format a share as a percentage with one decimal."""
    return f"{100 * share:.1f}"


def markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Render a Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join([*lines, *("| " + " | ".join(r) + " |" for r in rows)])


def kinds_of(target: Target, keep: Callable[[str], bool]) -> list[str]:
    """Return the registered kinds of one target that `keep` accepts."""
    return [k for k in CORRUPTIONS.kinds() if CORRUPTIONS.get(k).target is target and keep(k)]


def report(ref: Reference, seeds: int, trials: int) -> str:
    """Return the whole calibration report as Markdown."""
    frames = frame_table(ref, kinds_of(Target.FRAME, lambda k: k not in NOT_ON_SERVING), seeds)
    models = bytes_table(ref, kinds_of(Target.BYTES, lambda k: True), trials)
    notes = "\n".join(f"- {n.format(seeds=seeds)}" for n in NOTES)
    return "\n\n".join(
        [
            "### Serving features: accuracy (%) under corruption",
            markdown(["kind", "clean", "s1", "s2", "s3", "s4", "s5", "mean"], frames),
            notes,
            f"### Model artifact ({len(ref.model_bytes)} bytes of ONNX): {trials} corrupted copies "
            "per severity",
            markdown(
                ["kind", "severity", "loads (%)", "runs (%)", "accuracy if it runs (%)"], models
            ),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Print the calibration tables."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--seeds", type=int, default=3, help="corruption seeds averaged per cell")
    p.add_argument(
        "--byte-trials", type=int, default=20, help="corrupted model copies per severity"
    )
    p.add_argument("--out", type=Path, help="also write the Markdown to this file")
    p.add_argument("--cache-dir", type=Path, default=settings.cache_dir() / "model")
    args = p.parse_args(argv)
    started = time.perf_counter()
    text = report(load_reference(args.cache_dir), args.seeds, args.byte_trials)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(f"\n(took {time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
