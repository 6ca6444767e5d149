"""ingest.missing_features: drop (rows missing a feature removed) vs keep (only all-missing)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lithoflow.core.dataset import read_dataset
from lithoflow.core.errors import ConfigError
from lithoflow.ingest.binning import Groups, group_means
from lithoflow.ingest.config import IngestConfig
from lithoflow.ingest.merge import format_report, merge_tables, write_merged
from lithoflow.ingest.tables import BinnedTable, bin_table
from tests.support.config import table_ingest_config


def _config(path: Path, missing_features: str | None, filters: dict | None = None) -> IngestConfig:
    ingest = {"bin_size_m": 1.0, "filters": filters or {}}
    if missing_features is not None:
        ingest["missing_features"] = missing_features
    return table_ingest_config(path, "facies", ["rhob", "pef", "gr"], ingest)


@pytest.fixture
def wells(tmp_path: Path) -> Path:
    """Well A complete; well B lacks pef everywhere; one B row and one A row lack every curve;
    in well A's bin 1 one of two rows lacks gr."""
    nan = np.nan
    frame = pd.DataFrame(
        {
            "well": ["A", "A", "A", "A", "B", "B", "B"],
            "depth": [0.0, 1.0, 1.2, 5.0, 0.0, 1.0, 2.0],
            "facies": ["sand", "shale", "shale", "sand", "sand", "shale", "shale"],
            "rhob": [2.1, 2.2, 2.4, nan, 2.3, 2.5, nan],
            "pef": [3.0, 3.1, 3.3, nan, nan, nan, nan],
            "gr": [50.0, nan, 70.0, nan, 40.0, 90.0, nan],
        }
    )
    path = tmp_path / "wells.parquet"
    frame.to_parquet(path, index=False)
    return path


def test_default_is_drop_and_unknown_values_are_config_errors(wells: Path) -> None:
    assert _config(wells, None).missing_features == "drop"
    with pytest.raises(ConfigError, match="missing_features"):
        _config(wells, "impute")


def test_drop_removes_every_row_with_a_missing_feature(wells: Path) -> None:
    config = _config(wells, "drop")
    binned = bin_table(wells, config, "table")
    dropped = binned.report["dropped"]
    # first reason wins: rhob (2 rows), then pef (2 B rows), then gr (A at 1.0 m)
    assert dropped["missing_rhob"] == 2
    assert dropped["missing_pef"] == 2
    assert dropped["missing_gr"] == 1
    assert "missing_features" not in binned.report
    merged = merge_tables([binned], config)
    assert merged.frame["borehole_id"].tolist() == ["A", "A"]
    assert merged.frame[["rhob", "pef", "gr"]].notna().all().all()
    assert "missing_features" not in merged.report
    assert merged.report["boreholes_dropped"][0]["borehole_id"] == "B"


def test_keep_keeps_partial_rows_and_drops_all_missing_ones(wells: Path, tmp_path: Path) -> None:
    config = _config(wells, "keep", filters={"pef": [0.0, 10.0]})
    binned = bin_table(wells, config, "table")
    report = binned.report
    assert report["dropped"]["missing_all_features"] == 2  # A at 5.0 m, B at 2.0 m
    assert not any(key.startswith("missing_rhob") for key in report["dropped"])
    assert report["rows_dropped"] == 2
    assert report["missing_features"]["rows_with_missing_features"] == 3
    assert report["missing_features"]["rows_missing"] == {"rhob": 0, "pef": 2, "gr": 1}
    assert report["missing_features"]["bins_missing"] == {"rhob": 0, "pef": 2, "gr": 0}

    merged = merge_tables([binned], config)
    out = merged.frame
    assert list(zip(out["borehole_id"], out["depth_bin_m"], strict=True)) == [
        ("A", 0.0),
        ("A", 1.0),
        ("B", 0.0),
        ("B", 1.0),
    ]
    # A's bin 1: rhob and pef means of both rows, gr only from the row that has it
    np.testing.assert_allclose(out["rhob"], [2.1, 2.3, 2.3, 2.5])
    np.testing.assert_allclose(out["gr"], [50.0, 70.0, 40.0, 90.0])
    assert out["pef"].isna().tolist() == [False, False, True, True]  # NaN passes the pef filter
    assert out["n_raw_table"].tolist() == [1, 2, 1, 1]
    steps = {step["step"]: step for step in merged.report["steps"]}
    assert steps["dropna"]["removed"] == 0
    assert steps["dropna"]["rows_with_missing_features"] == 2
    assert steps["filter pef"]["removed"] == 0
    assert merged.report["final"]["rows_missing"] == {"rhob": 0, "pef": 2, "gr": 0}
    assert merged.report["boreholes_dropped"] == []
    assert "dropna" in format_report(merged.report)

    # the dataset contract accepts NaN features and round-trips them
    write_merged(merged, config, tmp_path / "features.parquet", tmp_path / "report.json")
    dataset = read_dataset(tmp_path / "features.parquet")
    assert dataset.frame["pef"].isna().sum() == 2


def test_keep_drops_merged_rows_missing_every_feature(tmp_path: Path) -> None:
    """Binning never makes an all-missing bin (such raw rows are dropped first), so the merge's
    own all-missing rule is checked on a binned frame edited to hold one."""
    frame = pd.DataFrame(
        {
            "well": ["A", "A"],
            "depth": [0.0, 1.0],
            "facies": ["sand", "shale"],
            "rhob": [np.nan, 2.2],
            "pef": [np.nan, np.nan],
            "gr": [np.nan, 60.0],
        }
    )
    path = tmp_path / "t.parquet"
    frame.to_parquet(path, index=False)
    config = _config(path, "keep")
    binned = bin_table(path, config, "table")
    assert binned.report["dropped"]["missing_all_features"] == 1
    # a binned frame edited to hold an all-missing bin: the merge drops and counts it
    edited = binned.frame.copy()
    extra = edited.iloc[[0]].assign(depth_bin_m=3.0, rhob=np.nan, gr=np.nan)
    edited = pd.concat([edited, extra], ignore_index=True)
    edited_table = BinnedTable(binned.name, edited, binned.features, binned.report)
    merged = merge_tables([edited_table], config)
    steps = {step["step"]: step for step in merged.report["steps"]}
    assert steps["dropna"]["removed"] == 1
    assert steps["dropna"]["reason"] == "missing label or every feature missing"
    assert merged.frame["depth_bin_m"].tolist() == [1.0]


def test_group_means_leave_out_nan() -> None:
    groups = Groups(
        row_group=np.array([0, 0, 1, 1, 2]),
        borehole_code=np.zeros(3, dtype=np.int64),
        bin_index=np.arange(3),
        raw_rows=np.array([2, 2, 1]),
    )
    values = np.array([[1.0, 1.0], [3.0, np.nan], [5.0, np.nan], [7.0, np.nan], [9.0, 4.0]])
    means = group_means(groups, values)
    np.testing.assert_allclose(means[:, 0], [2.0, 6.0, 9.0])
    np.testing.assert_allclose(means[:, 1], [1.0, np.nan, 4.0])
