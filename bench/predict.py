"""Benchmark of classifying new wells: applying a trained run to all 29 FORCE 2020 wells, and
the whole `snakemake predict` for one new well once the model exists.

1. Trains the FORCE example's gradient-boosting-with-depth-context run through the workflow
   (`snakemake predict` on a work folder, bench/data/predict/ by default: ingestion, the run,
   its final model, and the prediction of the 29 wells; reused when already there).
2. ``apply``: in this process, the final model applied to every well (read the LAS, bin, build
   the depth context, predict, smooth; no files written): seconds, samples per second.
3. ``one_new_well``: a copy of one well, under a new name, added to the predict folder, then
   `snakemake predict` timed from start to finish: only that well's job and the summary run.

Targets on 2 CPU cores: applying to the 29 wells (≈ 380 k samples) < 60 s; `snakemake predict`
for one new well < 20 s. Writes bench/results/predict.json.

    .venv/bin/python bench/predict.py                       # needs ../shared/data/force2020
    .venv/bin/python bench/predict.py --las-dir DIR --workdir /tmp/predict_bench
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "src"))

import torch  # noqa: E402

from lithoflow.core.io import write_json  # noqa: E402
from lithoflow.ingest.las import LasConfig, las_files  # noqa: E402
from lithoflow.predict.borehole import predict_borehole  # noqa: E402
from lithoflow.predict.model import load_applied_model  # noqa: E402
from lithoflow.predict.samples import read_las_samples  # noqa: E402

TARGETS = {"apply_seconds_max": 60.0, "one_new_well_seconds_max": 20.0}
DEFAULT_LAS = REPO_ROOT.parent / "shared" / "data" / "force2020" / "las"
EXAMPLE = REPO_ROOT / "examples" / "force2020"
RUN = "boosting_context"
SNAKEMAKE = Path(sys.executable).parent / "snakemake"


def bench_config(las_dir: Path, predict_dir: Path) -> dict:
    """The FORCE example's data, split and context with its boosting_context run only, and a
    predict section for every well of `predict_dir`."""
    config = yaml.safe_load((EXAMPLE / "config.yaml").read_text())
    for section in ("vae", "validation", "report", "hierarchy"):
        config.pop(section, None)
    config["data"]["las"]["path"] = str(las_dir)
    config["data"]["las"]["label_codes"] = str(EXAMPLE / "lithology_codes.csv")
    classifiers = config["classifiers"]
    classifiers["penalty_matrix"] = str(EXAMPLE / "penalty_matrix.csv")
    classifiers["runs"] = {RUN: {**classifiers["runs"][RUN], "replicates": 1}}
    config["predict"] = {"run": RUN, "data": {"source": "las", "las": {"path": str(predict_dir)}}}
    return config


def snakemake(workdir: Path, *args: str) -> float:
    """Run `snakemake predict` in `workdir`; its wall seconds."""
    cmd = [
        str(SNAKEMAKE), "--snakefile", str(REPO_ROOT / "Snakefile"), "--directory", str(workdir),
        "--configfile", str(workdir / "config.yaml"), "--replace-workflow-config", "--cores", "2",
        "--nocolor", "predict", *args,
    ]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def apply_all(workdir: Path, las_dir: Path, config: dict) -> dict:
    """The final model applied to every well in this process (no files written)."""
    run_dir = workdir / "results" / "models" / "classifiers" / RUN
    model = load_applied_model(run_dir, RUN, "final")
    las = LasConfig.from_config(_with_defaults(config)["data"]["las"])
    device = torch.device("cpu")
    samples_total, per_well = 0, {}
    start = time.perf_counter()
    for path in las_files(las_dir):
        well_start = time.perf_counter()
        samples = read_las_samples(path, las, model.chain.features)
        predict_borehole(samples, model, config["ingest"]["bin_size_m"], device)
        samples_total += samples.n_samples
        per_well[samples.borehole_id] = round(time.perf_counter() - well_start, 3)
    seconds = time.perf_counter() - start
    return {
        "wells": len(per_well),
        "samples": samples_total,
        "seconds": round(seconds, 2),
        "samples_per_second": round(samples_total / seconds),
        "seconds_per_well": per_well,
    }


def _with_defaults(config: dict) -> dict:
    from lithoflow.core.config import apply_schema_defaults

    copied = yaml.safe_load(yaml.safe_dump(config))
    apply_schema_defaults(copied, REPO_ROOT / "workflow" / "schemas" / "config.schema.yaml")
    return copied


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--las-dir", type=Path, default=DEFAULT_LAS)
    parser.add_argument("--workdir", type=Path, default=REPO_ROOT / "bench" / "data" / "predict")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--new-well", default="31_6-8", help="well copied in as the new well")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench/results/predict.json")
    args = parser.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    workdir = args.workdir
    predict_dir = workdir / "new_wells"
    predict_dir.mkdir(parents=True, exist_ok=True)
    for path in las_files(args.las_dir):
        target = predict_dir / Path(path).name
        if not target.exists():
            shutil.copy(path, target)
    config = bench_config(args.las_dir, predict_dir)
    (workdir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    first_run = snakemake(workdir)
    applied = apply_all(workdir, predict_dir, config)

    new = predict_dir / f"new_{args.new_well}.las"
    new.unlink(missing_ok=True)
    with gzip.open(args.las_dir / f"{args.new_well}.las.gz", "rt") as handle:
        new.write_text(handle.read())
    one_new_well = snakemake(workdir)
    new.unlink()
    record = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "threads": args.threads,
        },
        "first_snakemake_predict_seconds": round(first_run, 1),
        "apply": applied,
        "one_new_well_seconds": round(one_new_well, 1),
        "targets": TARGETS,
        "targets_met": {
            "apply_seconds_max": applied["seconds"] < TARGETS["apply_seconds_max"],
            "one_new_well_seconds_max": one_new_well < TARGETS["one_new_well_seconds_max"],
        },
    }
    write_json(args.out, record)
    print(
        f"apply: {applied['samples']:,} samples of {applied['wells']} wells in "
        f"{applied['seconds']} s ({applied['samples_per_second']:,}/s); snakemake predict for "
        f"one new well: {one_new_well:.1f} s"
    )


if __name__ == "__main__":
    main()
