"""Small synthetic datasets for the model tests: features, split parts and a hierarchy mapping."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lithoflow.core.dataset import write_dataset
from lithoflow.features.context import ContextConfig, build_context_file

FEATURES = ("GRA", "MS", "NGR", "R", "G", "B")
LABELS = {
    "nannofossil ooze": "Carbonate",
    "chalk": "Carbonate",
    "clay": "Clay/Mud",
    "silty clay": "Clay/Mud",
    "sand": "Sand",
    "basalt": "Mafic Igneous",
}
RARE_LABEL = "granofels"  # only in the test part: a class absent from train
RARE_GROUP = "Metamorphic"


# Gradient-boosting settings small enough for unit tests (a second or two per fit).
SMALL_BOOSTING = {
    "learning_rate": 0.1,
    "max_iter": 30,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 5,
    "l2_regularization": 0.0,
    "max_features": 1.0,
    "early_stopping": True,
    "n_iter_no_change": 5,
    "refit_with_val": False,
    "subsample": 1.0,
}
# Smaller still, for tests that fit many models (searches, ensembles).
FAST_BOOSTING = {**SMALL_BOOSTING, "learning_rate": 0.2, "max_iter": 15, "max_leaf_nodes": 7}
# A depth context set of one neighbour, gradients and a 1 m window.
SMALL_CONTEXT = ContextConfig(1, True, (1.0,), False, 0.3)


def write_small_context(features_path: Path, path: Path) -> Path:
    """The `SMALL_CONTEXT` table of a features.parquet, written to `path`."""
    build_context_file(features_path, path, "raw", SMALL_CONTEXT)
    return path


def synthetic_frame(
    n_boreholes: int = 12, rows_per_borehole: int = 40, seed: int = 0
) -> pd.DataFrame:
    """Rows of the dataset contract with label-dependent feature values."""
    rng = np.random.default_rng(seed)
    labels = list(LABELS)
    centres = rng.normal(size=(len(labels), len(FEATURES)))
    rows = []
    for b in range(n_boreholes):
        exp, site, hole = str(300 + b), f"U{1400 + b}", "A"
        label_ids = rng.integers(0, len(labels), size=rows_per_borehole)
        for i, label_id in enumerate(label_ids):
            z = centres[label_id] + 0.6 * rng.normal(size=len(FEATURES))
            rows.append(
                {
                    "borehole_id": f"{exp}-{site}-{hole}",
                    "exp": exp,
                    "site": site,
                    "hole": hole,
                    "depth_bin_m": round(0.2 * i, 10),
                    "label": labels[label_id],
                    "GRA": 1.7 + 0.25 * z[0],
                    "MS": float(np.sign(z[1]) * np.expm1(abs(2 * z[1]))),
                    "NGR": float(np.expm1(3 + 0.9 * z[2])),
                    "R": float(np.expm1(4.1 + 0.3 * z[3])),
                    "G": float(np.expm1(4.1 + 0.3 * z[4])),
                    "B": float(np.expm1(4.0 + 0.3 * z[5])),
                    "n_raw_GRA": 4,
                }
            )
    return pd.DataFrame(rows)


def write_model_inputs(
    root: Path, methods: tuple[str, ...] = ("size_balanced",), seed: int = 0
) -> dict[str, Path | dict[str, Path]]:
    """features.parquet, split parts of each method (the same parts) and the hierarchy mapping
    under `root`, written in dependency order; "splits" maps part -> path of the first method."""
    frame = synthetic_frame(seed=seed)
    boreholes = sorted(frame["borehole_id"].unique())
    part_of = {b: "train" for b in boreholes[:8]}
    part_of.update({b: "val" for b in boreholes[8:10]})
    part_of.update({b: "test" for b in boreholes[10:]})
    test_rows = frame.index[frame["borehole_id"] == boreholes[-1]][:3]
    frame.loc[test_rows, "label"] = RARE_LABEL
    features_path = root / "results/data/features.parquet"
    write_dataset(features_path, frame, FEATURES)
    split_paths: dict[str, Path] = {}
    for method in methods:
        for part in ("train", "val", "test"):
            path = root / f"results/splits/{method}/{part}.parquet"
            rows = frame[frame["borehole_id"].map(part_of) == part]
            write_dataset(path, rows, FEATURES)
            split_paths.setdefault(part, path)
    mapping = {**LABELS, RARE_LABEL: RARE_GROUP}
    counts = frame["label"].value_counts()
    mapping_path = root / "results/hierarchy/lithology_hierarchy_mapping.csv"
    mapping_path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        {
            "Principal_Lithology": list(mapping),
            "Lithology_Group": list(mapping.values()),
            "Count": [int(counts.get(k, 0)) for k in mapping],
            "Percentage": [100 * counts.get(k, 0) / len(frame) for k in mapping],
        }
    ).to_csv(mapping_path, index=False)
    return {"features": features_path, "splits": split_paths, "mapping": mapping_path}


@dataclass
class ToyData:
    """Train/val/test (inputs, class indices) of a toy problem, and its class names."""

    classes: tuple[str, ...]
    parts: dict[str, tuple[np.ndarray, np.ndarray]]


def toy_classifier_data(n: int = 240, seed: int = 0) -> ToyData:
    """Three separable classes in 4-D plus an empty fourth class."""
    rng = np.random.default_rng(seed)

    def part(m: int) -> tuple[np.ndarray, np.ndarray]:
        y = rng.integers(0, 3, size=m)
        return rng.normal(size=(m, 4)) + 2.0 * np.eye(4)[y], y

    return ToyData(
        classes=("a", "b", "c", "d"),
        parts={"train": part(n), "val": part(n // 4), "test": part(n // 4)},
    )
