"""Benchmark of the las input kind: the bin_table rule's code vs lasio reading alone.

Reads the 29 FORCE 2020 wells (or any folder of LAS files), each variant in a fresh subprocess so
wall time and peak RSS (``ru_maxrss`` of that child) are per variant:

- ``rule``: what rule bin_table runs for data.source las (lithoflow.ingest.tables.bin_table:
  gunzip, lasio, curve lookup, depth conversion, label codes, missing-value drops, binning) and
  writing the binned table and its report;
- ``lasio``: only gunzipping and ``lasio.read`` of every file (the floor).

The rule variant also times its steps apart: reading (lasio plus curve lookup, units, label codes),
binning (missing-value drops, bins, modes) and writing. Target: binning adds less than 20 % to
lasio's own reading time (``binning_share_of_lasio``); ``rule_overhead_vs_lasio`` is the whole
rule (read, bin, write) against lasio alone. Repeats each variant ``--repeats`` times and keeps the
fastest run (and the largest peak RSS).

    python bench/ingest_las.py                                # ../shared/data/force2020/las
    python bench/ingest_las.py --las-dir DIR --out bench/results/ingest_las.json
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "src"))

from lithoflow.core.config import apply_schema_defaults  # noqa: E402
from lithoflow.core.io import write_json  # noqa: E402

VARIANTS = ("rule", "lasio")
TARGET_OVERHEAD_MAX = 0.20
FEATURES = ["GR", "RHOB", "NPHI", "RDEP", "RMED", "DTC", "PEF", "CALI", "SP", "DRHO"]
DEFAULT_DIR = REPO_ROOT.parent / "shared" / "data" / "force2020" / "las"


def ingest_config(las_dir: Path) -> dict[str, Any]:
    """The example config's data/ingest sections, pointed at `las_dir`."""
    import yaml

    config = yaml.safe_load((REPO_ROOT / "examples" / "force2020" / "config.yaml").read_text())
    las = dict(config["data"]["las"])
    las["path"] = str(las_dir)
    las["label_codes"] = str(REPO_ROOT / "examples" / "force2020" / "lithology_codes.csv")
    sections = {"data": {"source": "las", "las": las}, "ingest": config["ingest"]}
    apply_schema_defaults(sections, REPO_ROOT / "workflow" / "schemas" / "config.schema.yaml")
    return sections


def run_rule(las_dir: Path, out: Path) -> dict[str, Any]:
    """bin_table's two steps (read_table_rows, bin_raw_rows) timed apart, then the writing."""
    from lithoflow.ingest.config import IngestConfig
    from lithoflow.ingest.las import las_files
    from lithoflow.ingest.rows import read_table_rows
    from lithoflow.ingest.tables import bin_raw_rows, write_binned_table

    config = IngestConfig.from_config(ingest_config(las_dir))
    spec = config.table("las")
    start = time.perf_counter()
    rows = read_table_rows(las_files(las_dir), config, spec)
    read = time.perf_counter()
    binned = bin_raw_rows(rows, spec, config)
    binning = time.perf_counter()
    write_binned_table(binned, out / "las.parquet", out / "las.json")
    written = time.perf_counter()
    return {
        "rows_read": binned.report["rows_read"],
        "bins": binned.report["bins"],
        "read_s": round(read - start, 3),
        "bin_s": round(binning - read, 3),
        "write_s": round(written - binning, 3),
    }


def run_lasio(las_dir: Path, out: Path) -> dict[str, Any]:
    import lasio

    from lithoflow.ingest.las import las_files

    rows = 0
    for path in las_files(las_dir):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as stream:
            text = stream.read().decode("latin-1")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows += lasio.read(io.StringIO(text)).data.shape[0]
    return {"rows_read": rows}


def child(args: argparse.Namespace) -> None:
    """Run one variant in this process and print its JSON result."""
    import lasio  # noqa: F401  (imported before the clock starts, in both variants)

    import lithoflow.ingest.tables  # noqa: F401

    out = Path(args.out_dir)
    start = time.perf_counter()
    result = {"rule": run_rule, "lasio": run_lasio}[args.child](Path(args.las_dir), out)
    result["wall_s"] = round(time.perf_counter() - start, 3)
    print(json.dumps(result))


def run_variant(variant: str, las_dir: Path, out_dir: Path) -> dict[str, Any]:
    """One child run with its own wall time and peak RSS (via wait4 on the child)."""
    cmd = [sys.executable, __file__, "--child", variant, "--las-dir", str(las_dir)]
    cmd += ["--out-dir", str(out_dir)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"variant {variant} failed ({proc.returncode})")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["peak_rss_mib"] = round(usage.ru_maxrss / 1024, 1)  # KiB on Linux
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--las-dir", default=str(DEFAULT_DIR))
    parser.add_argument("--out", default=str(REPO_ROOT / "bench" / "results" / "ingest_las.json"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=VARIANTS)
    parser.add_argument("--out-dir")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    las_dir = Path(args.las_dir)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeats):
            for variant in VARIANTS:
                run = run_variant(variant, las_dir, Path(tmp))
                best = results.setdefault(variant, run)
                if run["wall_s"] < best["wall_s"]:
                    results[variant] = {**run, "peak_rss_mib": best["peak_rss_mib"]}
                    best = results[variant]
                best["peak_rss_mib"] = max(best["peak_rss_mib"], run["peak_rss_mib"])
    overhead = results["rule"]["wall_s"] / results["lasio"]["wall_s"] - 1
    binning = results["rule"]["bin_s"] / results["lasio"]["wall_s"]
    files = sorted(p.name for p in las_dir.iterdir())
    record = {
        "benchmark": "ingest_las",
        "las_dir": str(las_dir),
        "files": len(files),
        "compressed_mib": round(sum((las_dir / f).stat().st_size for f in files) / 2**20, 1),
        "repeats": args.repeats,
        "variants": results,
        "rule_overhead_vs_lasio": round(overhead, 3),
        "binning_share_of_lasio": round(binning, 3),
        "target_overhead_max": TARGET_OVERHEAD_MAX,
        "target_met": binning < TARGET_OVERHEAD_MAX,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "note": "wall_s: fastest of the repeats; peak_rss_mib: largest. Other jobs may share the "
        "machine.",
    }
    write_json(args.out, record)
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
