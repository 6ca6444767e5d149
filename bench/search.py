"""Benchmark of a searched classifier run: the time per trial and in all, from a finished run.

A search's trials are the workflow's own work (rule train_boosting_classifier of a run with a
``search`` section), so this script measures that rule where it ran instead of repeating it:

- each trial's state and folds scored, from the run's ``metrics.json`` (what ``search.csv``
  shows), and its seconds, from the run's ``provenance.json`` (timings stay out of metrics.json,
  which reruns reproduce exactly);
- the rule's wall time and peak memory, from Snakemake's benchmark file
  (``benchmarks/<rule>/<run>.tsv``): the search plus the final fits of every replicate;
- the budget (trials, folds), the pool of boreholes searched over, the chosen trial and the
  threads the rule had.

Target for the FORCE example's ``boosting_search`` (7 trials of 5 folds over the 23 train and
val wells, 2 threads): the search under 20 minutes on 2 CPU cores. Run the example first (see
examples/force2020/README.md), on an otherwise idle machine, then:

    .venv/bin/python bench/search.py --run-dir WORKDIR [--run boosting_search]

With ``--rerun`` the rule is run again first (``snakemake --forcerun``; nothing else reruns),
e.g. to time it on an idle machine. Writes bench/results/search.json (``--out`` to choose).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "src"))

from lithoflow.classifiers.search_figure import search_table  # noqa: E402
from lithoflow.core.io import write_json  # noqa: E402

TARGETS = {"search_seconds_max": 1200.0}
RULE = "train_boosting_classifier"
SNAKEMAKE = Path(sys.executable).parent / "snakemake"


def rerun(run_dir: Path, run: str, cores: int) -> None:
    """Run the run's training rule again (its outputs only) in `run_dir`."""
    target = f"results/models/classifiers/{run}/metrics.json"
    command = [
        str(SNAKEMAKE),
        "--snakefile",
        str(REPO_ROOT / "Snakefile"),
        "--directory",
        str(run_dir),
        "--configfile",
        str(run_dir / "config.yaml"),
        "--replace-workflow-config",
        "--cores",
        str(cores),
        "--forcerun",
        RULE,
        "--until",
        RULE,
        target,
    ]
    subprocess.run(command, check=True)


def measure(run_dir: Path, run: str) -> dict[str, Any]:
    """The search's time per trial and in all, from a finished run in `run_dir`."""
    folder = run_dir / "results" / "models" / "classifiers" / run
    metrics = json.loads((folder / "metrics.json").read_text())
    trials = search_table(metrics)
    search = metrics["search"]
    provenance = json.loads((folder / "provenance.json").read_text())
    if "search_trial_seconds" not in provenance:
        raise SystemExit(f"{folder / 'provenance.json'} has no trial seconds: rerun with --rerun")
    seconds = pd.DataFrame(provenance["search_trial_seconds"])
    keys = ["outer_unit", "trial"] if "outer_unit" in trials.columns else ["trial"]
    trials = trials.drop(columns="seconds", errors="ignore").merge(
        seconds[[*keys, "seconds"]], on=keys, how="left", validate="one_to_one"
    )
    benchmark = pd.read_csv(run_dir / "benchmarks" / RULE / f"{run}.tsv", sep="\t")
    complete = trials[trials["state"] == "complete"]
    nested = bool(search.get("nested"))
    record: dict[str, Any] = {
        "run": run,
        "run_dir": str(run_dir),
        "nested": nested,
        "budget": search.get("budget") or search["folds"][0]["budget"],
        "metric": search.get("metric") or search["folds"][0]["metric"],
        "trials": len(trials),
        "trials_complete": len(complete),
        "trials_pruned": int((trials["state"] == "pruned").sum()),
        "trial_seconds": {
            "each": trials["seconds"].round(1).tolist(),
            "median": round(float(trials["seconds"].median()), 1),
            "min": round(float(trials["seconds"].min()), 1),
            "max": round(float(trials["seconds"].max()), 1),
        },
        "search_seconds": round(float(trials["seconds"].sum()), 1),
        "rule_seconds": round(float(benchmark["s"].iloc[-1]), 1),
        "rule_max_rss_mib": round(float(benchmark["max_rss"].iloc[-1]), 1),
        "threads": metrics.get("threads") or metrics.get("provenance", {}).get("threads"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "targets": TARGETS,
    }
    if not nested:
        record["pool_boreholes"] = len(search["pool_boreholes"])
        record["chosen_trial"] = search["cv_score"]["trial"]
        record["chosen"] = search["chosen"]
    record["meets_target"] = record["search_seconds"] <= TARGETS["search_seconds_max"]
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run-dir", type=Path, required=True)
    parser.add_argument("--run", default="boosting_search")
    parser.add_argument("--rerun", action="store_true")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "results" / "search.json")
    args = parser.parse_args()
    if args.rerun:
        rerun(args.run_dir, args.run, args.cores)
    record = measure(args.run_dir.resolve(), args.run)
    write_json(args.out, record)
    seconds = record["trial_seconds"]
    print(f"run {record['run']}: {record['trials']} trials ({record['trials_pruned']} pruned)")
    print(f"  per trial: median {seconds['median']} s, {seconds['min']}-{seconds['max']} s")
    print(f"  search {record['search_seconds']} s, rule {record['rule_seconds']} s")
    print(f"  target search <= {TARGETS['search_seconds_max']:.0f} s: {record['meets_target']}")


if __name__ == "__main__":
    main()
