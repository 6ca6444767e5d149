"""Time the anomaly rule's library call on a synthetic frame of full-scale size.

Usage: .venv/bin/python bench/anomalies.py [--rows 241000] [--boreholes 296]

Builds per-row reconstruction errors like results/validation/reconstruction_errors.parquet (six
features, 0.2-m bins, heavy-tailed errors with a few anomalous stretches), runs
`detect_anomalies` with the default config's settings and prints the wall time, intervals and
flagged rows. The target: under 10 s on 2 cores for 241 k rows. Writes bench/results/anomalies.json.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from lithoflow.core.io import write_json
from lithoflow.validation.anomalies import AnomalyConfig, detect_anomalies

REPO_ROOT = Path(__file__).resolve().parents[1]
FEATURES = ("GRA", "MS", "NGR", "R", "G", "B")
BIN = 0.2


def synthetic_errors(n_rows: int, n_boreholes: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    hole = np.sort(rng.integers(0, n_boreholes, n_rows))
    position = np.arange(n_rows) - np.searchsorted(hole, hole)
    errors = rng.gamma(2.0, 0.1, size=(n_rows, len(FEATURES)))
    spikes = rng.random(n_rows) < 0.002
    for start in np.flatnonzero(spikes):
        errors[start : start + rng.integers(1, 15), rng.integers(0, len(FEATURES))] += 3.0
    frame = pd.DataFrame(
        {
            "borehole_id": [f"U{h:04d}A" for h in hole],
            "depth_bin_m": BIN / 2 + position * BIN,
            "label": rng.choice(["nannofossil ooze", "clay", "basalt", "diatom ooze"], n_rows),
            "split": np.where(hole % 7 == 0, "test", np.where(hole % 7 == 1, "val", "train")),
            "recon_mae_scaled": errors.mean(axis=1),
        }
    )
    for i, name in enumerate(FEATURES):
        frame[f"abs_err_scaled_{name}"] = errors[:, i]
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=241_000)
    parser.add_argument("--boreholes", type=int, default=296)
    args = parser.parse_args()
    settings = yaml.safe_load((REPO_ROOT / "config.yaml").read_text())
    config = AnomalyConfig.from_config(settings["validation"]["anomalies"])
    frame = synthetic_errors(args.rows, args.boreholes)
    start = time.perf_counter()
    result = detect_anomalies(frame, FEATURES, BIN, config)
    seconds = time.perf_counter() - start
    record = {
        "rows": args.rows,
        "boreholes": args.boreholes,
        "seconds": round(seconds, 3),
        "intervals": len(result.intervals),
        "flagged_rows": int(result.intervals["n_flagged"].sum()),
        "target_seconds": 10,
    }
    print(record)
    write_json(REPO_ROOT / "bench" / "results" / "anomalies.json", record)


if __name__ == "__main__":
    main()
