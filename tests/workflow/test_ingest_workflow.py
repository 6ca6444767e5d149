"""End-to-end snakemake runs of the ingestion rules (bin_table, merge_tables)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from lithoflow.core.dataset import read_dataset
from lithoflow.core.io import read_json
from tests.support.lily_tables import small_lily_set, write_lily_csv
from tests.workflow.helpers import run_snakemake, tiny_config

pytestmark = pytest.mark.workflow

TARGET = "results/data/features.parquet"


def table_source_config(table: Path, **ingest: Any) -> dict[str, Any]:
    """The tiny config reading `table` (columns well, depth, rock, porosity, vp) as a tidy table
    source, without the LILY-only settings, with the `ingest` keys set."""
    config = tiny_config(
        {
            "data": {
                "source": "table",
                "table": {
                    "path": str(table),
                    "borehole_column": "well",
                    "depth_column": "depth",
                    "label_column": "rock",
                    "features": ["porosity", "vp"],
                },
            }
        }
    )
    config["scaling"]["transforms"] = {}  # the defaults name LILY's features
    for key in ("tables", "label_table", "columns"):  # LILY-layout keys: optional here
        del config["ingest"][key]
    config["ingest"].update(ingest)
    return config


def test_lily_tables_to_features_parquet(tmp_path: Path) -> None:
    lily_dir = tmp_path / "lily"
    small_lily_set(lily_dir)
    workdir = tmp_path / "work"
    config = tiny_config({"data": {"source": "lily", "lily_dir": str(lily_dir)}})
    run_snakemake(workdir, config, targets=[TARGET])

    dataset = read_dataset(workdir / TARGET)
    frame = dataset.frame
    assert dataset.features == ("GRA", "MS", "NGR", "R", "G", "B")
    assert frame["borehole_id"].tolist() == ["363-U1482-A"] * 3 + ["368X-U1503-A"]
    assert frame["exp"].tolist() == ["363"] * 3 + ["368X"]
    assert frame["depth_bin_m"].tolist() == [0.0, 0.2, 0.4, 1.2000000000000002]
    assert frame["label"].tolist() == ["clay", "sand", "ooze", "basalt"]
    np.testing.assert_allclose(frame["GRA"], [1.6, (1.9 + 1.9 + 2.0) / 3, 1.6, 2.5])
    assert frame["NGR"].tolist() == [30.0, 40.0, 5.0, 3.0]
    assert frame["B"].tolist() == [31.0, 40.0, 90.0, 60.0]
    assert frame["n_raw_GRA"].tolist() == [2, 3, 1, 1]

    report = read_json(workdir / "results/data/ingest_report.json")
    assert report["tables"]["GRA"]["rows_read"] == 11
    assert report["tables"]["GRA"]["dropped"]["missing_depth"] == 1
    steps = {step["step"]: step for step in report["steps"]}
    assert steps["join MS"]["removed"] == 1
    assert steps["filter GRA"]["removed"] == 1
    assert report["final"]["rows"] == 4 and report["final"]["labels"] == 4
    binned = read_json(workdir / "results/data/binned/RGB.json")
    assert binned["rows_read"] == 6 and binned["bins"] == 5
    log = (workdir / "logs/merge_tables/merge_tables.log").read_text()
    assert "join MS" in log and "4 bins, 2 boreholes, 4 labels" in log

    # A changed table re-bins alone; the other binned tables are kept.
    gra_before = (workdir / "results/data/binned/GRA.parquet").stat().st_mtime_ns
    write_lily_csv(
        lily_dir / "MS_DataLITH.csv",
        "MS",
        [
            ("363", "U1482", "A", 0.0, "clay", 11.0),
            ("363", "U1482", "A", 0.2, "clay", 21.0),
            ("368X", "U1503", "A", 1.2, "basalt", 301.0),
        ],
    )
    run_snakemake(workdir, config, targets=[TARGET])
    assert (workdir / "results/data/binned/GRA.parquet").stat().st_mtime_ns == gra_before
    frame = read_dataset(workdir / TARGET).frame
    assert frame["MS"].tolist() == [11.0, 21.0, 301.0]


def test_tidy_table_source_with_other_features(tmp_path: Path) -> None:
    table = tmp_path / "wells.parquet"
    pd.DataFrame(
        {
            "well": ["W-2", "W-2", "W-2", "W-1", "W-1"],
            "depth": [0.0, 0.05, 0.4, 1.0, 1.05],
            "rock": ["shale", "sand", "shale", "chalk", "chalk"],
            "porosity": [0.3, 0.2, 0.25, 0.4, 0.6],
            "vp": [2000.0, 2200.0, 2100.0, 1800.0, 1900.0],
        }
    ).to_parquet(table, index=False)
    config = table_source_config(
        table,
        filters={"porosity": [0.0, 0.45]},
        valid_ranges={"porosity": [0.0, 1.0]},  # keys must be features
    )
    workdir = tmp_path / "work"
    run_snakemake(workdir, config, targets=[TARGET])
    dataset = read_dataset(workdir / TARGET)
    assert dataset.features == ("porosity", "vp")
    frame = dataset.frame
    assert frame["borehole_id"].tolist() == ["W-2", "W-2"]  # W-1's bin (porosity 0.5) filtered
    assert frame["depth_bin_m"].tolist() == [0.0, 0.4]
    assert frame["label"].tolist() == ["sand", "shale"]  # tie shale/sand -> sand
    assert frame["n_raw_table"].tolist() == [2, 1]
    assert (frame[["exp", "site", "hole"]] == "").all().all()
    report = read_json(workdir / "results/data/ingest_report.json")
    assert [s["step"] for s in report["steps"]] == ["bin table", "dropna", "filter porosity"]


def test_bad_input_fails_without_writing_outputs(tmp_path: Path) -> None:
    lily_dir = tmp_path / "lily"
    small_lily_set(lily_dir)
    write_lily_csv(
        lily_dir / "MS_DataLITH.csv",
        "MS",
        [("363", "U1482", "A", 0.0, "clay", 10.0), ("363", "U1482", "A", 0.2, "clay", "OVER")],
    )
    workdir = tmp_path / "work"
    config = tiny_config({"data": {"source": "lily", "lily_dir": str(lily_dir)}})
    result = run_snakemake(
        workdir, config, targets=[TARGET], extra_args=["--keep-going"], check=False
    )
    assert result.returncode != 0
    assert not (workdir / TARGET).exists()
    assert not (workdir / "results/data/binned/MS.parquet").exists()
    assert not list((workdir / "results/data/binned").glob(".MS*"))  # no temporary leftovers
    log = (workdir / "logs/bin_table/MS.log").read_text()
    assert "MS_DataLITH.csv" in log
    assert "column 'Magnetic susceptibility (instr. units)'" in log and "'OVER'" in log


def test_tidy_table_keeps_rows_missing_a_feature(tmp_path: Path) -> None:
    """ingest.missing_features: keep reaches both ingest rules: W-2 lacks vp entirely and keeps
    its rows; a row lacking both features is dropped and counted."""
    table = tmp_path / "wells.parquet"
    pd.DataFrame(
        {
            "well": ["W-1", "W-1", "W-2", "W-2", "W-2"],
            "depth": [0.0, 0.4, 0.0, 0.4, 0.8],
            "rock": ["chalk", "chalk", "shale", "sand", "sand"],
            "porosity": [0.3, 0.2, 0.25, 0.35, np.nan],
            "vp": [2000.0, 2200.0, np.nan, np.nan, np.nan],
        }
    ).to_parquet(table, index=False)
    config = table_source_config(
        table, filters={"vp": [1000.0, 3000.0]}, valid_ranges={}, missing_features="keep"
    )
    workdir = tmp_path / "work"
    run_snakemake(workdir, config, targets=[TARGET])
    frame = read_dataset(workdir / TARGET).frame
    assert frame["borehole_id"].tolist() == ["W-1", "W-1", "W-2", "W-2"]
    assert frame["vp"].isna().tolist() == [False, False, True, True]
    report = read_json(workdir / "results/data/ingest_report.json")
    assert report["tables"]["table"]["dropped"]["missing_all_features"] == 1
    assert report["final"]["rows_missing"] == {"porosity": 0, "vp": 2}
