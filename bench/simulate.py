"""Benchmark of the LILY simulator: generation time and peak memory at one scale, and determinism.

Runs ``lithoflow.simulate.lily.simulate_lily`` twice in fresh subprocesses (same scale and seed),
records each run's wall time and the larger peak RSS of the two (``ru_maxrss`` of the children),
checks that the two runs wrote byte-identical tables, and writes a JSON record. Target at full
scale: under 60 s on 2 cores.

    python bench/simulate.py --scale tiny        # seconds
    python bench/simulate.py --scale full        # the real measurement (~45 s per run, 4.5 GB)
"""

from __future__ import annotations

import argparse
import filecmp
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "src"))

from lithoflow.core.io import write_json  # noqa: E402

TARGET_SECONDS = {"full": 60.0}
CODE = (
    "import sys; from lithoflow.simulate.lily import simulate_lily; "
    "simulate_lily(sys.argv[1], scale=sys.argv[2], seed=int(sys.argv[3]))"
)


def generate(out_dir: Path, scale: str, seed: int) -> float:
    """Seconds of one simulator run in a fresh child process."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    start = time.perf_counter()
    command = [sys.executable, "-c", CODE, str(out_dir), scale, str(seed)]
    subprocess.run(command, check=True, env=env)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="full")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench/results/simulate.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_simulate_") as tmp:
        first, second = Path(tmp, "a"), Path(tmp, "b")
        runs = [generate(first, args.scale, args.seed), generate(second, args.scale, args.seed)]
        files = sorted(p.name for p in first.glob("*.csv"))
        _, mismatch, errors = filecmp.cmpfiles(first, second, files, shallow=False)
        sizes = {name: (first / name).stat().st_size for name in files}
    target = TARGET_SECONDS.get(args.scale)
    best = min(runs)
    peak_gib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    record = {
        "benchmark": "simulate",
        "scale": args.scale,
        "seed": args.seed,
        "seconds": [round(seconds, 2) for seconds in runs],
        "peak_rss_gib": round(peak_gib, 3),
        "bytes_written": sizes,
        "identical_tables": not mismatch and not errors,
        "target_seconds": target,
        "meets_target": None if target is None else best < target,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    write_json(args.out, record)
    print(
        f"scale {args.scale}: {record['seconds']} s, peak RSS {record['peak_rss_gib']} GiB, "
        f"identical tables: {record['identical_tables']}, target {target} s"
    )
    if not record["identical_tables"]:
        raise SystemExit(f"the two runs differ: {mismatch + errors}")


if __name__ == "__main__":
    main()
