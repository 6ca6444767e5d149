"""Benchmark of ingestion: the workflow's implementation vs a plain pandas one vs the read floor.

Generates (or reuses) simulated LILY tables, then runs each variant in a fresh subprocess so that
wall time and peak RSS (``ru_maxrss`` of that child) are per variant:

- ``fast``: what the bin_table and merge_tables rules run (lithoflow.ingest.tables and
  lithoflow.ingest.merge), binned tables and the merged dataset written to Parquet;
- ``pandas``: the straightforward pandas recipe (bench/ingest_reference.py, the executable
  specification: C parser, ``Series.mode()`` called once per bin), same outputs;
- ``idiomatic``: pandas as written for speed (bench/ingest_pandas.py: pyarrow's CSV engine,
  the modal label from ``value_counts`` without a Python call per bin), same outputs;
- ``floor``: only reading the needed columns of every table with pyarrow's CSV reader.

Then checks that ``fast`` and ``idiomatic`` each give the same rows as ``pandas`` (keys, labels,
counts exactly; means to 1e-12 of the value or, for means that cancel to ~0, of the column's
largest value: pandas sums with Kahan compensation, numpy's bincount does not), writes a JSON
record and prints a table.
Targets at full scale: fast >= 10x faster than pandas, <= 2x the floor, peak RSS < 3 GiB.

    python bench/ingest.py --scale tiny            # seconds
    python bench/ingest.py --scale full            # the real measurement (minutes; GBs of CSV)

The fast variant's features.parquet and ingest_report.json are copied into the data folder
(bench/data/<scale>/), where bench/train.py looks for the full-scale dataset.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "src"))
sys.path.insert(0, str(REPO_ROOT))

from lithoflow.core.io import read_json, write_json  # noqa: E402
from lithoflow.ingest.config import IngestConfig  # noqa: E402

VARIANTS = ("fast", "pandas", "idiomatic", "floor")
TARGETS = {"speedup_vs_pandas_min": 10.0, "ratio_to_floor_max": 2.0, "peak_rss_gib_max": 3.0}


def default_config() -> dict[str, Any]:
    """The repository config's data/ingest sections, pointed at LILY tables."""
    import yaml

    config = yaml.safe_load((REPO_ROOT / "config.yaml").read_text())
    return {"data": {"source": "lily"}, "ingest": config["ingest"]}


def table_paths(config: IngestConfig, data_dir: Path) -> dict[str, Path]:
    return {spec.name: data_dir / spec.file for spec in config.tables}


def ensure_data(data_dir: Path, scale: str, seed: int, config: IngestConfig) -> float | None:
    """Generate the simulated tables unless they are all there; returns seconds spent or None."""
    paths = table_paths(config, data_dir)
    if all(p.is_file() for p in paths.values()):
        return None
    data_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    code = (
        "import sys; from lithoflow.simulate.lily import simulate_lily; "
        "simulate_lily(sys.argv[1], scale=sys.argv[2], seed=int(sys.argv[3]))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    subprocess.run(
        [sys.executable, "-c", code, str(data_dir), scale, str(seed)], check=True, env=env
    )
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise SystemExit(f"the simulator did not write {missing}")
    return time.perf_counter() - start


# ------------------------------------------------------------------------------------------
# Variants (run inside the child process)


def run_fast(config: IngestConfig, paths: dict[str, Path], out: Path) -> None:
    from lithoflow.core.dataset import read_dataset
    from lithoflow.ingest.merge import merge_tables, write_merged
    from lithoflow.ingest.tables import bin_table, write_binned_table

    for name in config.table_names:
        binned = bin_table(paths[name], config, name)
        write_binned_table(binned, out / f"{name}.parquet", out / f"{name}.json")
        del binned
    datasets = [read_dataset(out / f"{name}.parquet") for name in config.table_names]
    reports = {name: read_json(out / f"{name}.json") for name in config.table_names}
    merged = merge_tables(datasets, config, reports)
    write_merged(merged, config, out / "features.parquet", out / "ingest_report.json")


def run_pandas(config: IngestConfig, paths: dict[str, Path], out: Path) -> None:
    from bench.ingest_reference import reference_bin_table, reference_merge
    from lithoflow.core.dataset import write_dataset

    binned = {}
    for name in config.table_names:
        binned[name] = reference_bin_table(paths[name], config, name)
        write_dataset(out / f"{name}.parquet", binned[name], config.table(name).feature_names)
    merged = reference_merge(binned, config)
    write_dataset(out / "features.parquet", merged, config.features)


def run_idiomatic(config: IngestConfig, paths: dict[str, Path], out: Path) -> None:
    from bench.ingest_pandas import idiomatic_bin_table
    from bench.ingest_reference import reference_merge
    from lithoflow.core.dataset import write_dataset

    binned = {}
    for name in config.table_names:
        binned[name] = idiomatic_bin_table(paths[name], config, name)
        write_dataset(out / f"{name}.parquet", binned[name], config.table(name).feature_names)
    merged = reference_merge(binned, config)
    write_dataset(out / "features.parquet", merged, config.features)


def run_floor(config: IngestConfig, paths: dict[str, Path], out: Path) -> None:
    import pyarrow.csv as pa_csv

    from lithoflow.ingest.readers import _CSV_BLOCK_BYTES

    columns = config.columns
    ids = [columns.exp, columns.site, columns.hole, columns.depth, columns.label]
    rows = {}
    for spec in config.tables:
        table = pa_csv.read_csv(
            paths[spec.name],
            read_options=pa_csv.ReadOptions(use_threads=True, block_size=_CSV_BLOCK_BYTES),
            convert_options=pa_csv.ConvertOptions(include_columns=[*ids, *spec.raw_columns]),
        )
        rows[spec.name] = table.num_rows
        del table
    (out / "rows.json").write_text(json.dumps(rows))


def child(args: argparse.Namespace) -> None:
    """Run one variant and print its inner wall time as JSON."""
    import pyarrow as pa

    if args.cpus and hasattr(os, "sched_setaffinity"):
        available = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, available[: args.cpus])
    pa.set_cpu_count(args.threads)
    config = IngestConfig.from_config(default_config())
    paths = table_paths(config, Path(args.data_dir))
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    runners = {
        "fast": run_fast,
        "pandas": run_pandas,
        "idiomatic": run_idiomatic,
        "floor": run_floor,
    }
    runners[args.run_variant](config, paths, out)
    print(json.dumps({"inner_s": time.perf_counter() - start}))


# ------------------------------------------------------------------------------------------
# Parent


def run_variant(variant: str, args: argparse.Namespace, out_dir: Path) -> dict[str, Any]:
    """Run `variant` in a fresh process; wall time and the child's own peak RSS."""
    cmd = [
        sys.executable,
        __file__,
        "--run-variant",
        variant,
        "--data-dir",
        str(args.data_dir),
        "--out-dir",
        str(out_dir),
        "--threads",
        str(args.threads),
        "--cpus",
        str(args.cpus),
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall_s = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"variant {variant} failed with exit code {proc.returncode}")
    inner = json.loads(stdout.strip().splitlines()[-1])
    return {
        "wall_s": round(wall_s, 3),
        "inner_s": round(inner["inner_s"], 3),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),  # ru_maxrss is KiB on Linux
    }


def compare(fast: pd.DataFrame, ref: pd.DataFrame, features: tuple[str, ...]) -> dict[str, Any]:
    """Row-for-row comparison of a variant's rows (`fast`) with the reference's (`ref`): exact
    for keys, labels and counts; 1e-12 (scaled) for means."""
    result: dict[str, Any] = {"rows_variant": len(fast), "rows_pandas": len(ref)}
    same_shape = list(fast.columns) == list(ref.columns) and len(fast) == len(ref)
    if not same_shape:
        result["identical"] = False
        return result
    exact = [c for c in fast.columns if c not in features]
    mismatched = [c for c in exact if not fast[c].equals(ref[c])]
    worst = 0.0
    for name in features:
        a = fast[name].to_numpy(dtype=np.float64)
        b = ref[name].to_numpy(dtype=np.float64)
        # Relative to the value, or to the column's magnitude for means that cancel to ~0.
        scale = np.maximum(np.abs(b), np.max(np.abs(b), initial=0.0))
        scale = np.where(scale > 0, scale, 1.0)
        worst = max(worst, float(np.max(np.abs(a - b) / scale, initial=0.0)))
    result.update(
        {
            "mismatched_columns": mismatched,
            "max_scaled_difference_of_means": worst,
            "identical": not mismatched and worst <= 1e-12,
        }
    )
    return result


def compare_outputs(variant_dir: Path, pandas_dir: Path, config: IngestConfig) -> dict[str, Any]:
    """compare() for the merged dataset and every binned table of one variant."""
    check = {
        "features": compare(
            pd.read_parquet(variant_dir / "features.parquet"),
            pd.read_parquet(pandas_dir / "features.parquet"),
            config.features,
        )
    }
    for spec in config.tables:
        check[spec.name] = compare(
            pd.read_parquet(variant_dir / f"{spec.name}.parquet"),
            pd.read_parquet(pandas_dir / f"{spec.name}.parquet"),
            spec.feature_names,
        )
    return check


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="full", choices=["tiny", "small", "medium", "full"])
    parser.add_argument("--data-dir", type=Path, help="default: bench/data/<scale>")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=2, help="pyarrow threads (default 2)")
    parser.add_argument("--cpus", type=int, default=2, help="pin each variant to N CPUs (0: no)")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--out", type=Path, help="default: bench/results/ingest[_<scale>].json")
    parser.add_argument("--run-variant", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--out-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_variant:
        child(args)
        return

    args.data_dir = (args.data_dir or REPO_ROOT / "bench" / "data" / args.scale).resolve()
    suffix = "" if args.scale == "full" else f"_{args.scale}"
    out_path = args.out or REPO_ROOT / "bench" / "results" / f"ingest{suffix}.json"
    config = IngestConfig.from_config(default_config())
    generated_s = ensure_data(args.data_dir, args.scale, args.seed, config)
    paths = table_paths(config, args.data_dir)
    variants = [v for v in args.variants.split(",") if v]

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="lithoflow-bench-") as tmp:
        for variant in variants:
            print(f"running {variant} ...", flush=True)
            results[variant] = run_variant(variant, args, Path(tmp) / variant)
        # Each variant's outputs against the reference's: check[variant][file].
        check: dict[str, dict[str, Any]] = {}
        for variant in ("fast", "idiomatic"):
            if variant in results and "pandas" in results:
                check[variant] = compare_outputs(Path(tmp) / variant, Path(tmp) / "pandas", config)
        report = None
        if "fast" in results:
            report = read_json(Path(tmp) / "fast" / "ingest_report.json")
            # Kept beside the raw tables for the other benchmarks (bench/train.py reads it).
            for name in ("features.parquet", "ingest_report.json"):
                shutil.copyfile(Path(tmp) / "fast" / name, args.data_dir / name)

    ratios: dict[str, float] = {}
    if "fast" in results and "pandas" in results:
        ratios["speedup_vs_pandas"] = round(
            results["pandas"]["wall_s"] / results["fast"]["wall_s"], 2
        )
    if "fast" in results and "floor" in results:
        ratios["ratio_to_floor"] = round(results["fast"]["wall_s"] / results["floor"]["wall_s"], 2)
    if "fast" in results and "idiomatic" in results:
        ratios["speedup_vs_idiomatic_pandas"] = round(
            results["idiomatic"]["wall_s"] / results["fast"]["wall_s"], 2
        )
    # The same ratios without process start-up and imports (~0.5 s per variant).
    if "fast" in results and "pandas" in results:
        ratios["speedup_vs_pandas_inner"] = round(
            results["pandas"]["inner_s"] / results["fast"]["inner_s"], 2
        )
    if "fast" in results and "idiomatic" in results:
        ratios["speedup_vs_idiomatic_pandas_inner"] = round(
            results["idiomatic"]["inner_s"] / results["fast"]["inner_s"], 2
        )
    if "fast" in results and "floor" in results:
        ratios["ratio_to_floor_inner"] = round(
            results["fast"]["inner_s"] / results["floor"]["inner_s"], 2
        )
    targets = {}
    if "speedup_vs_pandas" in ratios:
        targets["speedup_vs_pandas"] = (
            ratios["speedup_vs_pandas"] >= TARGETS["speedup_vs_pandas_min"]
        )
    if "ratio_to_floor" in ratios:
        targets["ratio_to_floor"] = ratios["ratio_to_floor"] <= TARGETS["ratio_to_floor_max"]
    if "fast" in results:
        targets["peak_rss"] = results["fast"]["peak_rss_mib"] / 1024 < TARGETS["peak_rss_gib_max"]
    for variant, files in check.items():
        name = "identical_to_pandas" if variant == "fast" else f"{variant}_identical_to_pandas"
        targets[name] = all(c.get("identical") for c in files.values())

    import pyarrow

    record = {
        "benchmark": "ingest",
        "scale": args.scale,
        "seed": args.seed,
        "data_dir": str(args.data_dir),
        "generated_data_s": generated_s,
        "input_bytes": {name: p.stat().st_size for name, p in paths.items()},
        "threads": args.threads,
        "pinned_cpus": args.cpus,
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "pyarrow": pyarrow.__version__,
        },
        "variants": results,
        "ratios": ratios,
        "targets": TARGETS,
        "targets_met": targets,
        "equality": check,
        "ingest_report": report,
    }
    write_json(out_path, record)
    print_table(record)
    print(f"written {out_path}")


def print_table(record: dict[str, Any]) -> None:
    """Print the variants and the targets as a small table."""
    print(f"\ningest benchmark, scale {record['scale']}, {record['threads']} threads")
    print(f"{'variant':<10} {'wall s':>9} {'inner s':>9} {'peak RSS MiB':>13}")
    for name, row in record["variants"].items():
        print(
            f"{name:<10} {row['wall_s']:>9.2f} {row['inner_s']:>9.2f} {row['peak_rss_mib']:>13.1f}"
        )
    for name, value in record["ratios"].items():
        print(f"{name}: {value}")
    for name, ok in record["targets_met"].items():
        print(f"target {name}: {'met' if ok else 'NOT met'}")
    if record["ingest_report"]:
        from lithoflow.ingest.merge import format_report

        print("\n" + format_report(record["ingest_report"]))


if __name__ == "__main__":
    main()
