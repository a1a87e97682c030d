"""Train a scikit-learn model on train.csv and serve it with Seldon MLServer (open-inference-v2).

One entry point for both backends of the harness:
  process: python serve.py --port {port} --grpc-port {port:grpc} --metrics-port {port:metrics}
  docker:  python serve.py --host 0.0.0.0 --port 8080   (the image's CMD)

It trains the model (seeded: every instance and restart serves the same one), writes the model
folder MLServer reads (model.joblib, model-settings.json, settings.json) and then execs
`mlserver start`, so the signals the harness sends reach the server itself.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABEL = "diagnosis"
MODEL_NAME = "bc"  # the scenario's protocol.model: POST /v2/models/bc/infer


def parse_args() -> argparse.Namespace:
    """Ports and host from arguments, else from the environment (handy in a container)."""
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=env("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env("PORT", "8080")))
    parser.add_argument("--grpc-port", type=int, default=int(env("GRPC_PORT", "8081")))
    parser.add_argument("--metrics-port", type=int, default=int(env("METRICS_PORT", "8082")))
    parser.add_argument("--train", type=Path, default=HERE / "train.csv")
    parser.add_argument(
        "--model-dir",
        type=Path,
        default=None,
        help="where the model folder is written (default: one per instance in the temp folder)",
    )
    return parser.parse_args()


def train(csv: Path) -> object:
    """A standardised logistic regression on every column but the label."""
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    frame = pd.read_csv(csv)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=0))
    # A numpy array, not the frame: MLServer hands the model a bare array (no column names).
    model.fit(frame.drop(columns=[LABEL]).to_numpy(), frame[LABEL].to_numpy())
    return model


def model_dir(given: Path | None, port: int) -> Path:
    """The folder to write: the given one, else one per instance (or port), rewritten at start.

    The server is exec'd and cannot remove it afterwards; a name per instance keeps one folder
    per instance however often it restarts.
    """
    if given is not None:
        return given
    instance = os.environ.get("HARNESS_INSTANCE") or f"port-{port}"
    return Path(tempfile.gettempdir()) / "harness-example-mlserver" / instance


def write_model_folder(folder: Path, model: object, args: argparse.Namespace) -> None:
    """model.joblib, model-settings.json and settings.json, as `mlserver start` reads them."""
    import joblib

    folder.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, folder / "model.joblib")
    model_settings = {
        "name": MODEL_NAME,
        "implementation": "mlserver_sklearn.SKLearnModel",
        "parameters": {"uri": "./model.joblib"},
    }
    settings = {
        "host": args.host,
        "http_port": args.port,
        "grpc_port": args.grpc_port,
        "metrics_port": args.metrics_port,
        # The parallel inference pool's worker dies at start on Python 3.11 here ("There is no
        # current event loop in thread 'MainThread'"): infer in the server's own process.
        "parallel_workers": 0,
        "debug": False,
    }
    (folder / "model-settings.json").write_text(json.dumps(model_settings, indent=2))
    (folder / "settings.json").write_text(json.dumps(settings, indent=2))


def main() -> None:
    """Train, write the model folder, exec the server (never returns)."""
    args = parse_args()
    folder = model_dir(args.model_dir, args.port)
    write_model_folder(folder, train(args.train), args)
    # `mlserver` is a script beside this interpreter; the server also looks up its own tools
    # by name, so the venv's bin/ goes first on PATH.
    bin_dir = str(Path(sys.executable).parent)
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    print(f"serving {MODEL_NAME} from {folder} on {args.host}:{args.port}", flush=True)
    os.execv(os.path.join(bin_dir, "mlserver"), ["mlserver", "start", str(folder)])


if __name__ == "__main__":
    main()
