"""Bad values in tables that used to pass silently (issue 25): non-finite and absurd
measurements, spellings that split one borehole or class in two, a CSV cut inside its last
number, Parquet rows quoted as lines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lithoflow.core.dataset import LABEL_COLUMN
from lithoflow.core.errors import InputDataError
from lithoflow.ingest.config import IngestConfig
from lithoflow.ingest.readers import warn_if_unterminated
from lithoflow.ingest.spellings import clean_id
from lithoflow.ingest.tables import bin_table
from tests.support.config import ingest_config, table_ingest_config
from tests.support.lily_tables import lily_config, write_lily_csv


def _tidy_config(path: Path, **ingest) -> IngestConfig:
    return table_ingest_config(path, "lith", ["GR", "RHOB"], {"bin_size_m": 0.5, **ingest})


def _tidy(path: Path, rows: list[tuple]) -> Path:
    frame = pd.DataFrame(rows, columns=["well", "depth", "lith", "GR", "RHOB"])
    if path.suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False)
    return path


GOOD = [
    ("W1", 1.0, "shale", 80.0, 2.4),
    ("W1", 1.5, "shale", 82.0, 2.41),
    ("W1", 2.0, "sand", 40.0, 2.2),
]


@pytest.mark.parametrize("bad", [float("-inf"), float("inf"), -1e30])
def test_non_finite_or_absurd_values_are_refused_naming_file_column_and_row(
    tmp_path: Path, bad: float
) -> None:
    path = _tidy(tmp_path / "wells.parquet", [*GOOD, ("W1", 2.5, "sand", bad, 2.3)])
    with pytest.raises(InputDataError) as caught:
        bin_table(path, _tidy_config(path), "table")
    message = str(caught.value)
    assert f"file {path}" in message and "column 'GR'" in message
    assert "infinite or beyond" in message and "ingest.invalid_rows: drop" in message
    assert "row" in message and " 4 " in message  # the 4th Parquet row, not a "line"
    assert "line" not in message


def test_non_finite_values_are_dropped_and_counted_with_invalid_rows_drop(tmp_path: Path) -> None:
    rows = [*GOOD, ("W1", 2.5, "sand", 41.0, float("-inf")), ("W1", 3.0, "sand", -1e30, 2.3)]
    path = _tidy(tmp_path / "wells.csv", rows)
    binned = bin_table(path, _tidy_config(path, invalid_rows="drop"), "table")
    report = binned.report
    assert report["non_finite_values"] == {"GR": 1, "RHOB": 1}
    assert report["dropped"]["non_finite_GR"] == 1 and report["dropped"]["non_finite_RHOB"] == 1
    assert report["rows_dropped"] == 2 and report["rows_binned"] == 3
    assert np.isfinite(binned.frame[["GR", "RHOB"]].to_numpy()).all()
    assert binned.frame["GR"].abs().max() < 100


def test_non_finite_value_in_a_lily_csv_names_the_line(tmp_path: Path) -> None:
    rows = [("363", "U1482", "A", 0.0, "clay", 1.5), ("363", "U1482", "A", 0.2, "clay", "-inf")]
    path = write_lily_csv(tmp_path / "GRA_DataLITH.csv", "GRA", rows)
    config = lily_config(tmp_path)
    config["ingest"]["invalid_rows"] = "keep"
    with pytest.raises(InputDataError) as caught:
        bin_table(path, ingest_config(config), "GRA")
    message = str(caught.value)
    assert "column 'Bulk density (GRA)'" in message and "line" in message and " 3 " in message


# --- spellings -----------------------------------------------------------------------------------


def test_labels_with_whitespace_and_case_become_one_class_and_are_reported(
    tmp_path: Path, caplog
) -> None:
    rows = [
        ("W1", 1.0, "clay", 80.0, 2.4),
        ("W1", 1.5, "clay ", 81.0, 2.4),
        ("W1", 2.0, "Clay", 82.0, 2.4),
        ("W1", 3.0, "clay", 83.0, 2.4),
        ("W1", 4.0, "sand", 40.0, 2.2),
    ]
    path = _tidy(tmp_path / "wells.csv", rows)
    with caplog.at_level("WARNING"):
        binned = bin_table(path, _tidy_config(path), "table")
    assert sorted(binned.frame[LABEL_COLUMN].unique()) == ["clay", "sand"]
    spellings = binned.report["spellings"]
    assert spellings["labels_stripped"] == {"clay": ["clay", "clay "]}
    assert spellings["labels_differing_by_case"] == {"clay": {"Clay": 1, "clay": 3}}
    assert spellings["label_case"] == "merge"
    assert "differ only by case" in caplog.text and "ingest.label_case: keep" in caplog.text


def test_label_case_keep_keeps_case_variants_apart_and_says_so(tmp_path: Path, caplog) -> None:
    rows = [("W1", 1.0, "clay", 80.0, 2.4), ("W1", 2.0, "Clay", 82.0, 2.4)]
    path = _tidy(tmp_path / "wells.csv", rows)
    with caplog.at_level("WARNING"):
        binned = bin_table(path, _tidy_config(path, label_case="keep"), "table")
    assert sorted(binned.frame[LABEL_COLUMN].unique()) == ["Clay", "clay"]
    assert binned.report["spellings"]["label_case"] == "keep"
    assert "kept apart" in caplog.text


def test_a_float_borehole_id_is_the_same_borehole(tmp_path: Path, caplog) -> None:
    frame = pd.DataFrame(
        {
            "well": ["1425", "1425.0", " 1425", "7"],
            "depth": [1.0, 2.0, 3.0, 1.0],
            "lith": ["clay", "clay", "sand", "sand"],
            "GR": [80.0, 81.0, 40.0, 41.0],
            "RHOB": [2.4, 2.4, 2.2, 2.2],
        }
    )
    path = tmp_path / "wells.csv"
    frame.to_csv(path, index=False)
    with caplog.at_level("WARNING"):
        binned = bin_table(path, _tidy_config(path), "table")
    assert sorted(binned.frame["borehole_id"].unique()) == ["1425", "7"]
    assert (binned.frame["borehole_id"] == "1425").sum() == 3
    assert binned.report["spellings"]["borehole_ids_cleaned"] == {
        "1425": [" 1425", "1425", "1425.0"]
    }
    assert "1 merged" in caplog.text


def test_good_spellings_leave_no_report_entry(tmp_path: Path) -> None:
    path = _tidy(tmp_path / "wells.csv", GOOD)
    assert bin_table(path, _tidy_config(path), "table").report["spellings"] == {}


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("1425.0", "1425"),
        (" U1425 ", "U1425"),
        ("1425.5", "1425.5"),
        ("-7.00", "-7"),
        ("A.0", "A.0"),
    ],
)
def test_clean_id(raw: str, clean: str) -> None:
    assert clean_id(raw) == clean


# --- a file cut inside its last line -------------------------------------------------------------


def test_a_csv_cut_inside_its_last_number_is_named_with_its_last_line(
    tmp_path: Path, caplog
) -> None:
    path = _tidy(tmp_path / "wells.csv", GOOD)
    text = path.read_text()
    path.write_text(text.rstrip("\n")[:-3])  # "2.2" of the last row cut to ... "2" -> cut mid-row
    with caplog.at_level("WARNING"):
        bin_table(path, _tidy_config(path), "table")
    assert f"{path}: the file does not end with a newline" in caplog.text
    assert repr(text.rstrip("\n").splitlines()[-1][:-3]) in caplog.text


def test_a_complete_csv_gives_no_newline_warning(tmp_path: Path, caplog) -> None:
    path = _tidy(tmp_path / "wells.csv", GOOD)
    with caplog.at_level("WARNING"):
        assert not warn_if_unterminated(path)
    assert "newline" not in caplog.text
