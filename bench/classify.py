"""Benchmark of the depth context rule and one gradient-boosting fit (the classifier path).

On a binned dataset (default: a full-scale simulated run's results/data/features.parquet and its
size_balanced split, ≈ 241 k rows) it times, in this process with the config's settings:

- ``context``: rule depth_context's work (`build_context_file`) for the config's context set;
- ``fit``: one unit of the config's gradient-boosting-with-context run (`ClassifierRun.fit_unit`:
  inputs, missing values, the fit with early stopping on the val boreholes, prediction and
  smoothing of every part), i.e. what one replicate of that run costs.

Targets on 2 CPU cores: context < 10 s, one fit < 60 s. Writes bench/results/classify.json.

    python bench/classify.py --run-dir /path/to/a/full/scale/run      # folder with results/
    python bench/classify.py --run-dir RUN --run boosting_context --threads 2
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "src"))

from lithoflow.classifiers import evaluation as ev  # noqa: E402
from lithoflow.classifiers.data import ClassifierInputs  # noqa: E402
from lithoflow.classifiers.run import prepare_classifier_run  # noqa: E402
from lithoflow.classifiers.spec import ClassifierSpec, run_settings  # noqa: E402
from lithoflow.core.io import write_json  # noqa: E402
from lithoflow.features.context import ContextConfig, build_context_file  # noqa: E402
from lithoflow.features.scaling import ScalingConfig  # noqa: E402

TARGETS = {"context_seconds_max": 10.0, "fit_seconds_max": 60.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-dir", type=Path, required=True, help="a finished run's folder")
    parser.add_argument("--config", type=Path, default=REPO_ROOT / "config.yaml")
    parser.add_argument("--run", default="boosting_context", help="classifier run to time")
    parser.add_argument("--threads", type=int, default=2, help="OpenMP threads (2-core target)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench/results/classify.json")
    args = parser.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)

    config = yaml.safe_load(args.config.read_text())
    settings = run_settings(config["classifiers"], args.run)
    spec = ClassifierSpec.from_merged(args.run, settings)
    results = args.run_dir / "results"
    features = results / "data" / "features.parquet"

    with tempfile.TemporaryDirectory() as tmp:
        context_path = Path(tmp) / "context.parquet"
        context = ContextConfig.from_config(config["context"]["sets"][spec.context])
        started = time.perf_counter()
        columns = build_context_file(features, context_path, "raw", context)
        context_seconds = time.perf_counter() - started

        split = {p: results / "splits" / spec.split / f"{p}.parquet" for p in ev.PARTS}
        files = ClassifierInputs(
            split_paths=split,
            mapping_path=results / "hierarchy" / "lithology_hierarchy_mapping.csv",
            context_path=context_path,
        )
        run = prepare_classifier_run(spec, files, ScalingConfig.from_config(config["scaling"]))
        unit = ev.split_units(run.data.part, spec.seed, 1)[0]
        started = time.perf_counter()
        result = run.fit_unit(unit, torch.device("cpu"), resume=None, on_epoch_end=None)
        fit_seconds = time.perf_counter() - started

    record = {
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "threads": args.threads,
        },
        "run": args.run,
        "rows": int(run.data.y.size),
        "rows_train": int(result.inputs.rows["train"].size),
        "inputs": len(result.inputs.scaler.features),
        "context_columns": len(columns),
        "classes": len(run.data.classes),
        "iterations": result.kind.architecture()["iterations"] if result.kind else None,
        "context_seconds": round(context_seconds, 2),
        "fit_seconds": round(fit_seconds, 2),
        "scores": result.scores,
        "targets": TARGETS,
        "meets_targets": {
            "context": context_seconds < TARGETS["context_seconds_max"],
            "fit": fit_seconds < TARGETS["fit_seconds_max"],
        },
    }
    write_json(args.out, record)
    for key in ("rows", "inputs", "iterations", "context_seconds", "fit_seconds"):
        print(f"{key:>16}: {record[key]}")


if __name__ == "__main__":
    main()
