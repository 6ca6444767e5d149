"""Ingestion on hand-made LILY tables and tidy tables: config, binning, merge, report, reference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench.ingest_reference import reference_bin_table, reference_ingest
from lithoflow.core.dataset import read_dataset
from lithoflow.core.errors import ConfigError
from lithoflow.core.io import read_json
from lithoflow.ingest.config import IngestConfig
from lithoflow.ingest.merge import format_report, merge_tables, write_merged
from lithoflow.ingest.tables import bin_table, write_binned_table
from tests.support.config import ingest_config, load_default_config, table_ingest_config
from tests.support.lily_tables import lily_config, lily_header, small_lily_set, write_lily_csv

CONTRACT_HEAD = ["borehole_id", "exp", "site", "hole", "depth_bin_m", "label"]


@pytest.fixture
def lily(tmp_path: Path) -> tuple[IngestConfig, dict[str, Path]]:
    paths = small_lily_set(tmp_path / "lily")
    return ingest_config(lily_config(tmp_path / "lily")), paths


def test_config_from_the_default_config_yaml() -> None:
    config = ingest_config(load_default_config())
    assert config.table_names == ("GRA", "MS", "NGR", "RGB")
    assert config.features == ("GRA", "MS", "NGR", "R", "G", "B")
    assert config.label_table == "GRA"
    assert config.bin_size_m == 0.2
    assert config.table("NGR").raw_columns == ("NGR total counts (cps)",)
    assert [(f.feature, f.minimum, f.maximum) for f in config.filters] == [
        ("GRA", 0.3, 4.0),
        ("R", 0.0, 255.0),
        ("G", 0.0, 255.0),
        ("B", 0.0, 255.0),
    ]


def test_unknown_table_is_a_config_error(lily: tuple[IngestConfig, dict[str, Path]]) -> None:
    config, paths = lily
    with pytest.raises(ConfigError, match=r"ingest\.tables.*'PWL'.*'GRA', 'MS', 'NGR', 'RGB'"):
        bin_table(paths["GRA"], config, "PWL")


def test_bin_gra_table_content_and_report(lily: tuple[IngestConfig, dict[str, Path]]) -> None:
    config, paths = lily
    binned = bin_table(paths["GRA"], config, "GRA")
    frame = binned.frame
    assert list(frame.columns) == [*CONTRACT_HEAD, "GRA", "n_raw_GRA"]
    assert frame["borehole_id"].tolist() == ["363-U1482-A"] * 4 + ["368X-U1503-A"] * 2
    assert frame["exp"].tolist() == ["363"] * 4 + ["368X"] * 2
    assert frame["depth_bin_m"].tolist() == [
        0.0,
        0.2,
        0.4,
        0.6000000000000001,
        1.0,
        1.2000000000000002,
    ]
    # bin 0.2 holds a duplicated contact row (sand and clay at 0.25 m) and sand at 0.30 m
    assert frame["label"].tolist() == ["clay", "sand", "ooze", "ooze", "basalt", "basalt"]
    assert frame["n_raw_GRA"].tolist() == [2, 3, 1, 1, 1, 1]
    np.testing.assert_allclose(frame["GRA"], [1.6, (1.9 + 1.9 + 2.0) / 3, 1.6, 1.6, 5.0, 2.5])
    report = binned.report
    assert report["rows_read"] == 11
    assert report["boreholes_read"] == 2
    assert report["rows_dropped"] == 2
    assert report["dropped"] == {
        "missing_borehole_id": 0,
        "missing_depth": 1,
        "missing_label": 0,
        "missing_GRA": 1,
    }
    assert report["bins"] == 6
    assert report["boreholes"] == 2


def test_binned_table_round_trips_through_the_dataset_contract(
    lily: tuple[IngestConfig, dict[str, Path]], tmp_path: Path
) -> None:
    config, paths = lily
    binned = bin_table(paths["RGB"], config, "RGB")
    write_binned_table(binned, tmp_path / "RGB.parquet", tmp_path / "RGB.json")
    dataset = read_dataset(tmp_path / "RGB.parquet")
    assert dataset.features == ("R", "G", "B")
    assert dataset.metadata["table"] == "RGB"
    pd.testing.assert_frame_equal(dataset.frame, binned.frame)
    assert read_json(tmp_path / "RGB.json")["bins"] == 5


def test_merge_joins_in_order_labels_from_gra_and_filters(
    lily: tuple[IngestConfig, dict[str, Path]], tmp_path: Path
) -> None:
    config, paths = lily
    binned = [bin_table(paths[name], config, name) for name in config.table_names]
    merged = merge_tables(binned, config)
    frame = merged.frame
    assert merged.features == ("GRA", "MS", "NGR", "R", "G", "B")
    assert list(frame.columns) == [
        *CONTRACT_HEAD,
        "GRA",
        "MS",
        "NGR",
        "R",
        "G",
        "B",
        "n_raw_GRA",
        "n_raw_MS",
        "n_raw_NGR",
        "n_raw_RGB",
    ]
    assert frame["borehole_id"].tolist() == ["363-U1482-A"] * 3 + ["368X-U1503-A"]
    assert frame["depth_bin_m"].tolist() == [0.0, 0.2, 0.4, 1.2000000000000002]
    # MS says "clay" and RGB "sand" at 0.2 m; the label comes from GRA ("sand") only
    assert frame["label"].tolist() == ["clay", "sand", "ooze", "basalt"]
    assert frame["MS"].tolist() == [10.0, 20.0, -3.0, 300.0]
    assert frame["R"].tolist() == [41.0, 50.0, 100.0, 70.0]
    assert frame["n_raw_RGB"].tolist() == [2, 1, 1, 1]
    steps = {step["step"]: step for step in merged.report["steps"]}
    assert steps["join MS"]["removed"] == 1  # 363-U1482-A bin 0.6 has no MS
    assert steps["join MS"]["rows"] == 5
    assert steps["filter GRA"]["removed"] == 1  # GRA 5.0 at 368X-U1503-A 1.0 m
    assert steps["filter GRA"]["reason"] == "GRA outside [0.3, 4]"
    assert steps["filter R"]["removed"] == 0
    assert steps["dropna"]["removed"] == 0
    assert merged.report["final"] == {
        "rows": 4,
        "boreholes": 2,
        "labels": 4,
        "top_labels": {"basalt": 1, "clay": 1, "ooze": 1, "sand": 1},
    }
    table = format_report(merged.report)
    assert "join MS" in table and "GRA outside [0.3, 4]" in table
    assert "4 bins, 2 boreholes, 4 labels" in table

    write_merged(merged, config, tmp_path / "features.parquet", tmp_path / "report.json")
    dataset = read_dataset(tmp_path / "features.parquet")
    assert dataset.features == merged.features
    assert read_json(tmp_path / "report.json")["final"]["rows"] == 4


def test_equals_the_pandas_reference_on_hand_made_tables(
    lily: tuple[IngestConfig, dict[str, Path]],
) -> None:
    config, paths = lily
    for name in config.table_names:
        ours = bin_table(paths[name], config, name).frame
        pd.testing.assert_frame_equal(ours, reference_bin_table(paths[name], config, name))
    binned = [bin_table(paths[name], config, name) for name in config.table_names]
    pd.testing.assert_frame_equal(
        merge_tables(binned, config).frame, reference_ingest(paths, config)
    )


def test_quirks_extra_and_reordered_columns_are_not_fatal(tmp_path: Path) -> None:
    header = lily_header("GRA")
    header = [*reversed(header), "Unnamed: 32", "Another extra"]
    rows = [
        (363, "U1482", "A", 0.0, "clay", 1.5),  # int Exp next to "368X"
        ("368X", "U1503", "A", 995.0, "basalt", 2.6),
    ]
    path = write_lily_csv(tmp_path / "GRA_DataLITH.csv", "GRA", rows, header=header)
    config = ingest_config(lily_config(tmp_path))
    frame = bin_table(path, config, "GRA").frame
    assert frame["borehole_id"].tolist() == ["363-U1482-A", "368X-U1503-A"]
    assert frame["GRA"].tolist() == [1.5, 2.6]


def _tidy_config(path: Path, filters: dict | None = None) -> IngestConfig:
    ingest = {"bin_size_m": 0.5, "filters": filters or {}}
    return table_ingest_config(path, "facies", ["porosity", "vp"], ingest)


def _tidy_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "well": ["W-7", "W-7", "W-7", "363-U1482-A", "363-U1482-A", "W-7"],
            "depth": [0.1, 0.2, 0.9, 10.0, 10.3, np.nan],
            "facies": ["shale", "sand", "shale", "chalk", "chalk", "shale"],
            "porosity": [0.30, 0.20, 0.25, 0.40, 0.50, 0.1],
            "vp": [2000.0, 2400.0, 2100.0, 1800.0, 1900.0, 2000.0],
            "unused": ["x"] * 6,
        }
    )


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_tidy_table_input_with_non_lily_features(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"wells{suffix}"
    frame = _tidy_frame()
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    config = _tidy_config(path, {"porosity": [0.0, 0.45]})
    assert config.table_names == ("table",)
    assert config.features == ("porosity", "vp")
    binned = bin_table(path, config, "table")
    assert binned.report["dropped"]["missing_depth"] == 1
    merged = merge_tables([binned], config)
    out = merged.frame
    assert list(out.columns) == [*CONTRACT_HEAD, "porosity", "vp", "n_raw_table"]
    assert out["borehole_id"].tolist() == ["363-U1482-A", "W-7", "W-7"]
    # "Exp-Site-Hole" ids are split; other shapes leave exp/site/hole empty
    assert out[["exp", "site", "hole"]].to_numpy().tolist() == [
        ["363", "U1482", "A"],
        ["", "", ""],
        ["", "", ""],
    ]
    # 0.5 m bins: 10.3 m -> bin 10.5 (porosity 0.50, filtered out); 0.1 and 0.2 m -> bin 0.0
    assert out["depth_bin_m"].tolist() == [10.0, 0.0, 1.0]
    assert out["label"].tolist() == ["chalk", "sand", "shale"]  # shale/sand tie -> sand
    np.testing.assert_allclose(out["porosity"], [0.40, 0.25, 0.25])
    np.testing.assert_allclose(out["vp"], [1800.0, 2200.0, 2100.0])
    assert out["n_raw_table"].tolist() == [1, 2, 1]
    steps = {step["step"]: step for step in merged.report["steps"]}
    assert steps["filter porosity"]["removed"] == 1


def test_merge_order_is_borehole_string_then_depth(tmp_path: Path) -> None:
    rows = [
        ("9", "U1", "A", 0.4, "clay", 1.5),
        ("10", "U1", "A", 0.2, "clay", 1.6),
        ("9", "U1", "A", 0.0, "clay", 1.7),
    ]
    config = lily_config(tmp_path)
    config["ingest"]["tables"] = {"GRA": config["ingest"]["tables"]["GRA"]}
    config["ingest"]["filters"] = {}
    ingest = ingest_config(config)
    path = write_lily_csv(tmp_path / "GRA_DataLITH.csv", "GRA", rows)
    out = merge_tables([bin_table(path, ingest, "GRA")], ingest).frame
    assert out["borehole_id"].tolist() == ["10-U1-A", "9-U1-A", "9-U1-A"]
    assert out["depth_bin_m"].tolist() == [0.2, 0.0, 0.4]
