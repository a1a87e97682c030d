"""Train a scikit-learn model on train.csv, save it as an MLflow model and serve it with MLflow.

One entry point for both backends of the harness:
  process: python serve.py --port {port}
  docker:  python serve.py --host 0.0.0.0 --port 8080   (the image's CMD)

It trains the model (seeded: every instance and restart serves the same one), saves it with
`mlflow.sklearn.save_model` (its signature names the feature columns the load sends in
`dataframe_split`) and then runs `mlflow models serve --env-manager local`: no environment is
built and nothing is downloaded. It stays as the server's parent and passes SIGTERM and SIGINT
on: in a container it is process 1, which ignores a signal it has no handler for, and the
`mlflow` command has none (`docker stop` would wait 10 s and SIGKILL it).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABEL = "diagnosis"


def parse_args() -> argparse.Namespace:
    """Port and host from arguments, else from the environment (handy in a container)."""
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=env("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env("PORT", "8080")))
    parser.add_argument("--workers", type=int, default=int(env("WORKERS", "1")))
    parser.add_argument("--train", type=Path, default=HERE / "train.csv")
    parser.add_argument(
        "--model-dir",
        type=Path,
        default=None,
        help="where the model folder is written (default: one per instance in the temp folder)",
    )
    return parser.parse_args()


def model_dir(given: Path | None, port: int) -> Path:
    """The folder to write: the given one, else one per instance (or port), rewritten at start.

    A killed instance cannot remove it; a name per instance keeps one folder per instance
    however often it is killed and restarted.
    """
    if given is not None:
        return given
    instance = os.environ.get("HARNESS_INSTANCE") or f"port-{port}"
    return Path(tempfile.gettempdir()) / "harness-example-mlflow" / instance


def inputs_hash(csv: Path) -> str:
    """What the saved model depends on: the training rows and this script."""
    digest = hashlib.sha256(csv.read_bytes() + Path(__file__).read_bytes())
    return digest.hexdigest()[:12]


def save_model(csv: Path, folder: Path) -> None:
    """Fit a standardised logistic regression and save it as an MLflow model in `folder`."""
    import mlflow.sklearn
    import pandas as pd
    import sklearn
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    frame = pd.read_csv(csv)
    features = frame.drop(columns=[LABEL])
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=0))
    model.fit(features, frame[LABEL])
    shutil.rmtree(folder, ignore_errors=True)  # save_model refuses a folder that exists
    folder.parent.mkdir(parents=True, exist_ok=True)
    mlflow.sklearn.save_model(
        model,
        str(folder),
        input_example=features.head(2),
        # Given, so MLflow does not infer them (that starts a subprocess and takes seconds).
        pip_requirements=[f"scikit-learn=={sklearn.__version__}"],
    )


def main() -> None:
    """Train, save, run the scoring server until it ends."""
    args = parse_args()
    folder = model_dir(args.model_dir, args.port)
    # A restart (the harness's region_outage kills and restarts the instance) reuses the saved
    # model: importing MLflow to save it again would double the restart's CPU on a small box.
    stamp = folder / ".inputs"
    if not stamp.exists() or stamp.read_text() != inputs_hash(args.train):
        save_model(args.train, folder)
        stamp.write_text(inputs_hash(args.train))  # written last: a killed save is redone
    # `mlflow models serve` execs `uvicorn` by name (exit 127 when it is not found): the
    # venv's bin/ goes first on PATH.
    bin_dir = str(Path(sys.executable).parent)
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    argv = [os.path.join(bin_dir, "mlflow"), "models", "serve", "-m", str(folder)]
    argv += ["--env-manager", "local"]
    argv += ["-h", args.host, "-p", str(args.port), "-w", str(args.workers)]
    print(f"serving {folder} on {args.host}:{args.port}", flush=True)
    sys.exit(supervise(argv))


def supervise(argv: list[str]) -> int:
    """Run `argv`, pass SIGTERM and SIGINT on to it, return its exit code."""
    child = subprocess.Popen(argv)

    def forward(signum: int, _frame: object) -> None:
        child.send_signal(signum)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, forward)
    return child.wait()


if __name__ == "__main__":
    main()
