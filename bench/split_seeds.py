"""Compare the split methods over several seeds: classes missing from train and JSD per part.

Usage (after the workflow has built features.parquet and the hierarchy):

    .venv/bin/python bench/split_seeds.py --features results/data/features.parquet \
        --hierarchy results/hierarchy/lithology_hierarchy_mapping.csv

Writes bench/results/split_seeds.json and prints one row per (seed, method), plus whether
entropy_balanced beats both investigation methods on (i) classes in test (and val) absent from
train and (ii) the Jensen-Shannon divergence of val and test from the whole data, for every seed.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from lithoflow.core.dataset import read_dataset
from lithoflow.core.io import write_json
from lithoflow.hierarchy.mapping import read_mapping
from lithoflow.splits.methods import PARTS, SplitConfig, assign_boreholes, split_frame
from lithoflow.splits.statistics import split_statistics

REPO_ROOT = Path(__file__).resolve().parents[1]
METHODS = ("random", "size_balanced", "entropy_balanced")


def run(
    features: Path,
    hierarchy: Path | None,
    splits_config: dict[str, Any],
    seeds: list[int],
    methods: tuple[str, ...] = METHODS,
) -> dict[str, Any]:
    """Statistics of every (seed, method) split and the per-seed verdict."""
    frame = read_dataset(features).frame[["borehole_id", "label"]]
    label_to_group = read_mapping(hierarchy) if hierarchy else None
    rows: list[dict[str, Any]] = []
    for seed in seeds:
        for method in methods:
            config = SplitConfig.from_config({**splits_config, "seed": seed}, method)
            start = time.perf_counter()
            assignment = assign_boreholes(frame, config)
            seconds = time.perf_counter() - start
            parts = split_frame(frame, assignment)
            stats = split_statistics({p: parts[p]["label"] for p in PARTS}, label_to_group)
            row: dict[str, Any] = {"seed": seed, "method": method, "seconds": seconds}
            row["row_fraction"] = {p: len(parts[p]) / len(frame) for p in PARTS}
            for level, values in stats.items():
                row[level] = {
                    "missing_from_train": values["n_missing_from_train"],
                    "jsd_bits": values["jsd_bits_from_whole"],
                }
            rows.append(row)
    return {
        "features": str(features),
        "n_rows": len(frame),
        "n_boreholes": int(frame["borehole_id"].nunique()),
        "n_classes": int(frame["label"].nunique()),
        "rows": rows,
        "verdict": verdict(rows, seeds),
    }


def verdict(rows: list[dict[str, Any]], seeds: list[int]) -> dict[str, Any]:
    """Per seed: does entropy_balanced beat every other method on missing classes and JSD?"""
    result: dict[str, Any] = {}
    for seed in seeds:
        by_method = {r["method"]: r["classes"] for r in rows if r["seed"] == seed}
        ours = by_method.get("entropy_balanced")
        others = [v for m, v in by_method.items() if m != "entropy_balanced"]
        if ours is None or not others:
            continue
        fewer_missing = all(
            ours["missing_from_train"]["test"] < o["missing_from_train"]["test"]
            and ours["missing_from_train"]["val"] <= o["missing_from_train"]["val"]
            for o in others
        )
        lower_jsd = all(
            ours["jsd_bits"][p] < o["jsd_bits"][p] for o in others for p in ("val", "test")
        )
        result[str(seed)] = {"fewer_missing": fewer_missing, "lower_jsd": lower_jsd}
    result["all_seeds"] = all(v["fewer_missing"] and v["lower_jsd"] for v in result.values())
    return result


def format_table(summary: dict[str, Any]) -> str:
    """A plain-text table of the rows."""
    header = (
        f"{'seed':>4}  {'method':<17} {'miss val':>8} {'miss test':>9} "
        f"{'JSD train':>9} {'JSD val':>8} {'JSD test':>8} {'grp JSD val':>11} "
        f"{'grp JSD test':>12} {'train%':>6} {'val%':>5} {'test%':>5}"
    )
    lines = [header, "-" * len(header)]
    for r in summary["rows"]:
        c, g = r["classes"], r.get("groups")
        group_val = f"{g['jsd_bits']['val']:.4f}" if g else "-"
        group_test = f"{g['jsd_bits']['test']:.4f}" if g else "-"
        fractions = r["row_fraction"]
        lines.append(
            f"{r['seed']:>4}  {r['method']:<17} {c['missing_from_train']['val']:>8} "
            f"{c['missing_from_train']['test']:>9} {c['jsd_bits']['train']:>9.4f} "
            f"{c['jsd_bits']['val']:>8.4f} {c['jsd_bits']['test']:>8.4f} {group_val:>11} "
            f"{group_test:>12} {fractions['train'] * 100:>6.1f} {fractions['val'] * 100:>5.1f} "
            f"{fractions['test'] * 100:>5.1f}"
        )
    lines.append(f"entropy_balanced beats the others for every seed: {summary['verdict']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=Path, default=Path("results/data/features.parquet"))
    parser.add_argument("--hierarchy", type=Path, default=None, help="mapping CSV (optional)")
    parser.add_argument("--config", type=Path, default=REPO_ROOT / "config.yaml")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 43, 44, 45, 46])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench/results/split_seeds.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    splits_config = yaml.safe_load(args.config.read_text())["splits"]
    summary = run(args.features, args.hierarchy, splits_config, args.seeds)
    summary["config"] = str(args.config)
    write_json(args.out, summary)
    print(format_table(summary))
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
