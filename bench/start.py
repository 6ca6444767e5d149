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
import json
import platform
import re
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
from tests.support.config import (  # noqa: E402
    snakemake_command,
    tiny_config,
    write_config,
)

HEAVY_LIBRARIES = ("torch", "sklearn", "scipy", "matplotlib", "skops")
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


def time_start_imports() -> dict[str, object]:
    """Seconds to import what common.smk imports from lithoflow, and the heavy libraries loaded."""
    common = (REPO_ROOT / "workflow" / "rules" / "common.smk").read_text()
    imports = re.findall(r"^from lithoflow[\w.]* import (?:\([^)]*\)|.*)$", common, re.MULTILINE)
    code = "\n".join(
        [
            "import json, sys, time",
            "started = time.perf_counter()",
            *imports,
            "seconds = time.perf_counter() - started",
            f"heavy = sorted(m for m in {HEAVY_LIBRARIES!r} if m in sys.modules)",
            "print(json.dumps({'seconds': round(seconds, 3), 'heavy_libraries': heavy}))",
        ]
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    record: dict[str, object] = json.loads(result.stdout)
    return record


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
    imports = time_start_imports()
    record = {
        "dry_run_seconds": [round(s, 2) for s in seconds],
        "dry_run_median_seconds": round(statistics.median(seconds), 2),
        "target_seconds": TARGET_S,
        "start_imports": imports,
        "machine": {"python": platform.python_version(), "cpus": _cpu_count()},
    }
    write_json(args.out, record)
    print(
        f"snakemake --dry-run (tiny config, whole workflow): median "
        f"{record['dry_run_median_seconds']} s of {record['dry_run_seconds']} (target < {TARGET_S}"
        f" s); common.smk's imports {imports['seconds']} s, heavy libraries loaded: "
        f"{imports['heavy_libraries'] or 'none'}"
    )


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    main()
