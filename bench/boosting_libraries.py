"""Benchmark deciding whether a second gradient-boosting library pays: LightGBM against
scikit-learn's HistGradientBoostingClassifier at equal settings.

The question (is another boosting kind worth a dependency?) is answered on a finished run's own
data: its split's train part (rows subsampled per fit as the run does), early stopping on its val
part, with a depth context set joined as the classifier rule joins it. Both libraries get the same
rows, inputs and settings (learning rate, iterations and patience, leaves, rows per leaf, L2,
share of inputs per split, 2 threads) and the same seeds; each pair of fits is timed, and scored
on the val boreholes only: the split's test boreholes are never read, so the answer cannot be
tuned on them. Reports seconds per fit, iterations, val accuracy and balanced accuracy per seed,
and their means. LightGBM is not a dependency of lithoflow: install it into the venv to run this
(``.venv/bin/pip install lightgbm``).

Decision rule of the issue that asked for it: add the kind only if it is faster or stronger at
equal settings. Writes bench/results/boosting_libraries.json.

    .venv/bin/python bench/boosting_libraries.py --run-dir /tmp/force_full --context window
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "src"))

from lithoflow.classifiers.boosting import (  # noqa: E402
    build_boosting,
    fit_boosting,
    stratified_subsample,
)
from lithoflow.classifiers.boosting_settings import BoostingParams  # noqa: E402
from lithoflow.core.dataset import read_dataset  # noqa: E402
from lithoflow.core.io import write_json  # noqa: E402
from lithoflow.features.context import join_context, read_context_table  # noqa: E402
from lithoflow.stats import metrics as mt  # noqa: E402

# The FORCE example's gradient-boosting settings (its classifiers.defaults, scikit-learn's
# names), given to both libraries; no refit on train + val, since val scores the fits.
EXAMPLE_CONFIG = REPO_ROOT / "examples" / "force2020" / "config.yaml"
PARAMS = BoostingParams.from_config(
    {
        **yaml.safe_load(EXAMPLE_CONFIG.read_text())["classifiers"]["defaults"][
            "gradient_boosting"
        ],
        "refit_with_val": False,
    },
    "classifiers.defaults.gradient_boosting",
)
THREADS = 2


def inputs(run_dir: Path, split: str, part: str, context: str | None) -> tuple[np.ndarray, list]:
    """The model inputs of one split part (curves, then the context set's columns) and labels."""
    dataset = read_dataset(run_dir / "results" / "splits" / split / f"{part}.parquet")
    x = dataset.feature_matrix().to_numpy(np.float64)
    if context:
        path = run_dir / "results" / "data" / "context" / "raw" / f"{context}.parquet"
        table, columns = read_context_table(path)
        x = np.hstack([x, join_context(dataset.frame, table, columns, str(path))])
    return x.astype(np.float32), list(dataset.labels)


def fit_sklearn(x, y, x_val, y_val, seed: int) -> tuple[object, int]:
    """The gradient-boosting kind's own model and fit (`lithoflow.classifiers.boosting`)."""
    model = build_boosting(PARAMS, seed, has_validation=True)
    summary = fit_boosting(model, x, y, x_val, y_val)
    return model, int(summary["iterations"])


def fit_lightgbm(x, y, x_val, y_val, seed: int) -> tuple[object, int]:
    import lightgbm

    model = lightgbm.LGBMClassifier(
        learning_rate=PARAMS.learning_rate,
        n_estimators=PARAMS.max_iter,
        num_leaves=PARAMS.max_leaf_nodes,
        min_child_samples=PARAMS.min_samples_leaf,
        min_child_weight=0.0,
        reg_lambda=PARAMS.l2_regularization,
        feature_fraction_bynode=PARAMS.max_features,
        n_jobs=THREADS,
        random_state=seed,
        verbose=-1,
    )
    stop = lightgbm.early_stopping(PARAMS.n_iter_no_change, verbose=False)
    model.fit(x, y, eval_X=(x_val,), eval_y=(y_val,), callbacks=[stop])
    return model, int(model.best_iteration_)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run-dir", type=Path, required=True)
    parser.add_argument("--split", default="explicit")
    parser.add_argument("--context", default="window", help="a context set of the run, or ''")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=REPO_ROOT / "bench" / "results" / "boosting_libraries.json"
    )
    args = parser.parse_args()
    try:
        import lightgbm
    except ImportError:
        raise SystemExit("LightGBM is not installed: .venv/bin/pip install lightgbm") from None

    x, labels = inputs(args.run_dir, args.split, "train", args.context)
    x_val, val_labels = inputs(args.run_dir, args.split, "val", args.context)
    classes = sorted(set(labels) | set(val_labels))
    index = {name: i for i, name in enumerate(classes)}
    y = np.array([index[v] for v in labels])
    y_val = np.array([index[v] for v in val_labels])
    print(f"{len(y):,} train rows, {len(y_val):,} val rows, {x.shape[1]} inputs")

    fits: dict[str, list[dict[str, float]]] = {"scikit-learn": [], "lightgbm": []}
    for seed in range(args.seeds):
        rows = stratified_subsample(y, PARAMS.subsample, seed)
        for name, fit in (("scikit-learn", fit_sklearn), ("lightgbm", fit_lightgbm)):
            started = time.perf_counter()
            model, iterations = fit(x[rows], y[rows], x_val, y_val, seed)
            seconds = time.perf_counter() - started
            predicted = np.asarray(model.predict(x_val))
            record = {
                "seed": seed,
                "seconds": round(seconds, 2),
                "iterations": iterations,
                "val_accuracy": round(mt.accuracy(y_val, predicted), 4),
                "val_balanced_accuracy": round(mt.balanced_accuracy(y_val, predicted), 4),
            }
            fits[name].append(record)
            print(f"seed {seed} {name:13s} {record}")
    means = {
        name: {
            key: round(float(np.mean([r[key] for r in records])), 4)
            for key in ("seconds", "iterations", "val_accuracy", "val_balanced_accuracy")
        }
        for name, records in fits.items()
    }
    for name, mean in means.items():
        print(f"mean {name:13s} {mean}")
    write_json(
        args.out,
        {
            "run_dir": str(args.run_dir),
            "split": args.split,
            "context": args.context,
            "rows": {"train": len(y), "val": len(y_val), "inputs": int(x.shape[1])},
            "settings": {**PARAMS.to_dict(), "threads": THREADS},
            "fits": fits,
            "means": means,
            "versions": {
                "lightgbm": lightgbm.__version__,
                "scikit-learn": __import__("sklearn").__version__,
                "python": platform.python_version(),
            },
        },
    )


if __name__ == "__main__":
    main()
