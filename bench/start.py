"""Benchmark of starting the workflow: how long `snakemake` takes before any job runs.

Every `snakemake` call pays it (parse the Snakefile, check the config, list each rule's library
modules, build the DAG), and so does every job under a cluster executor, which runs Snakemake
again inside the job. The script writes a tiny config to a work folder, then times
`snakemake --dry-run` for the whole default target (nothing run, everything planned) `--repeats`
times in fresh processes, and, in one more process, how long importing the library modules that
`workflow/rules/common.smk` imports takes and which heavy libraries they load (the target is none
of torch, scikit-learn, scipy, matplotlib, skops).

Target on 2 CPU cores: a start under 5 s. Writes bench/results/start.json.

    .venv/bin/python bench/start.py
    .venv/bin/python bench/start.py --repeats 5 --workdir /tmp/start_bench
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "src"))

from lithoflow.core.io import write_json  # noqa: E402
from tests.support.config import snakemake_command, tiny_config, write_config  # noqa: E402
from tests.support.workflow_rules import start_imports  # noqa: E402

TARGET_S = 5.0


def time_dry_run(workdir: Path) -> float:
    """Seconds of one `snakemake --dry-run` of the default target in a fresh process."""
    command = [*snakemake_command(workdir, "--dry-run", "--quiet", "all", "--cores", "1")]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"snakemake --dry-run failed:\n{result.stdout}\n{result.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "results" / "start.json")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lithoflow_start_") as scratch:
        workdir = args.workdir or Path(scratch)
        write_config(workdir, tiny_config())
        time_dry_run(workdir)  # a first call warms the file cache; not counted
        seconds = [time_dry_run(workdir) for _ in range(args.repeats)]
    imports = start_imports()
    record = {
        "dry_run_seconds": [round(s, 2) for s in seconds],
        "dry_run_median_seconds": round(statistics.median(seconds), 2),
        "target_seconds": TARGET_S,
        "start_imports": imports,
        "machine": {"python": platform.python_version(), "cpus": len(os.sched_getaffinity(0))},
    }
    write_json(args.out, record)
    print(
        f"snakemake --dry-run (tiny config, whole workflow): median "
        f"{record['dry_run_median_seconds']} s of {record['dry_run_seconds']} (target < {TARGET_S}"
        f" s); common.smk's imports {imports['seconds']} s, heavy libraries loaded: "
        f"{imports['heavy_libraries'] or 'none'}"
    )


if __name__ == "__main__":
    main()
