"""Write the examples' labelled data: scikit-learn's breast cancer set, split in two CSV files.

`train.csv` is what serve.py trains the model on; `holdout.csv` is what the harness sends and
scores accuracy on (`load.dataset`), so the accuracy in a report is on rows the model never saw.
Run once from the repository root (the CSV files are committed; this is how they were made):

    python examples/make_data.py
"""

from __future__ import annotations

import re
from pathlib import Path

from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

LABEL = "diagnosis"  # 0 = malignant, 1 = benign (scikit-learn's coding)
HOLDOUT_SHARE = 0.25
SEED = 0
EXAMPLES = Path(__file__).resolve().parent


def safe_name(name: str) -> str:
    """'mean radius' -> 'mean_radius': a name every protocol carries as is (JSON key, column)."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def main() -> None:
    """Write train.csv and holdout.csv into every example folder (the same rows in each)."""
    frame = load_breast_cancer(as_frame=True).frame
    frame.columns = [*(safe_name(c) for c in frame.columns[:-1]), LABEL]
    train, holdout = train_test_split(
        frame, test_size=HOLDOUT_SHARE, random_state=SEED, stratify=frame[LABEL]
    )
    for folder in ("mlserver", "mlflow"):
        for name, part in (("train.csv", train), ("holdout.csv", holdout)):
            part.to_csv(EXAMPLES / folder / name, index=False, float_format="%.6g")
            print(f"{folder}/{name}: {len(part)} rows, {part.shape[1] - 1} features + {LABEL}")


if __name__ == "__main__":
    main()
