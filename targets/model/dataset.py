"""Seeded synthetic fraud-like tabular data: 20 numeric features, ~15% positives, label noise."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DATASET_PARAMS", "FEATURES", "Dataset", "make_dataset"]

# (name, scale, offset): make_classification yields unit-scale columns; real transaction features
# have very different ranges, which scaling and unit corruptions later need to act on.
FEATURES: tuple[tuple[str, float, float], ...] = (
    ("amount", 120.0, 250.0),
    ("amount_to_avg_ratio", 0.6, 1.2),
    ("hour_of_day", 4.0, 13.0),
    ("merchant_risk", 0.15, 0.4),
    ("account_age_days", 300.0, 900.0),
    ("txn_count_1h", 1.5, 2.0),
    ("txn_count_24h", 6.0, 14.0),
    ("distinct_merchants_24h", 2.0, 5.0),
    ("distance_from_home_km", 40.0, 60.0),
    ("distance_from_last_txn_km", 25.0, 35.0),
    ("device_age_days", 90.0, 200.0),
    ("ip_risk", 0.12, 0.3),
    ("card_present", 0.4, 0.5),
    ("foreign_txn", 0.3, 0.2),
    ("failed_logins_24h", 0.8, 0.6),
    ("chargebacks_1y", 0.5, 0.3),
    ("balance", 1500.0, 4000.0),
    ("credit_utilization", 0.2, 0.45),
    ("velocity_score", 1.0, 0.0),
    ("email_age_days", 400.0, 1200.0),
)

DATASET_PARAMS: dict[str, float | int] = {
    "n_samples": 20_000,
    "n_informative": 8,
    "n_redundant": 4,
    "n_clusters_per_class": 2,
    "positive_weight": 0.15,
    "flip_y": 0.05,
    "class_sep": 0.8,
    "holdout_fraction": 0.25,
}


@dataclass(frozen=True)
class Dataset:
    """Train and held-out splits, float32 features and int64 labels."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_holdout: np.ndarray
    y_holdout: np.ndarray

    @property
    def feature_names(self) -> list[str]:
        """Return the column names in input order."""
        return [name for name, _, _ in FEATURES]


def make_dataset(seed: int) -> Dataset:
    """Generate the labelled dataset for a seed and split it (stratified) into train/held-out."""
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    p = DATASET_PARAMS
    X, y = make_classification(
        n_samples=int(p["n_samples"]),
        n_features=len(FEATURES),
        n_informative=int(p["n_informative"]),
        n_redundant=int(p["n_redundant"]),
        n_clusters_per_class=int(p["n_clusters_per_class"]),
        weights=[1.0 - float(p["positive_weight"])],
        flip_y=float(p["flip_y"]),
        class_sep=float(p["class_sep"]),
        random_state=seed,
    )
    scale = np.array([s for _, s, _ in FEATURES])
    offset = np.array([o for _, _, o in FEATURES])
    X = (X * scale + offset).astype(np.float32)
    X_tr, X_ho, y_tr, y_ho = train_test_split(
        X,
        y.astype(np.int64),
        test_size=float(p["holdout_fraction"]),
        stratify=y,
        random_state=seed,
    )
    return Dataset(X_tr, y_tr, X_ho, y_ho)
