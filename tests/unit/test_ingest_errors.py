"""Bad input fails with InputDataError naming the file, the column and example rows."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from lithoflow.core.errors import InputDataError
from lithoflow.ingest.config import IngestConfig
from lithoflow.ingest.merge import merge_tables
from lithoflow.ingest.tables import bin_table
from tests.support.config import ingest_config
from tests.support.lily_tables import lily_config, lily_header, write_lily_csv

GOOD = [
    ("363", "U1482", "A", 0.0, "clay", 1.5),
    ("363", "U1482", "A", 0.2, "clay", 1.6),
]


def _config(lily_dir: Path) -> IngestConfig:
    return ingest_config(lily_config(lily_dir))


def _error(path: Path, config: IngestConfig, table: str = "GRA") -> str:
    with pytest.raises(InputDataError) as caught:
        bin_table(path, config, table)
    return str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "GRA_DataLITH.csv"
    message = _error(path, _config(tmp_path))
    assert str(path) in message
    assert "not found" in message


def test_missing_column_names_file_column_and_shows_rows(tmp_path: Path) -> None:
    header = [c for c in lily_header("GRA") if c != "Principal"]
    rows = [(e, s, h, d, p, v) for e, s, h, d, p, v in GOOD]
    path = tmp_path / "GRA_DataLITH.csv"
    write_lily_csv(path, "GRA", rows, header=header)
    message = _error(path, _config(tmp_path))
    assert f"file {path}" in message
    assert "column 'Principal'" in message
    assert "missing column(s) 'Principal'" in message
    assert "Example rows" in message and "U1482" in message


def test_non_numeric_measurement(tmp_path: Path) -> None:
    rows = [
        *GOOD,
        ("363", "U1482", "A", 0.4, "clay", "1,7"),
        ("363", "U1482", "B", 0.6, "ooze", "n.d."),
    ]
    path = write_lily_csv(tmp_path / "GRA_DataLITH.csv", "GRA", rows)
    message = _error(path, _config(tmp_path))
    assert f"file {path}" in message
    assert "column 'Bulk density (GRA)'" in message
    assert "2 non-numeric value(s)" in message and "'1,7'" in message and "'n.d.'" in message
    assert "Example rows (2 of 2)" in message
    # line numbers in the file (header is line 1): rows 3 and 4 of data -> lines 4 and 5
    table = message.split("Example rows", 1)[1]
    assert " 4 " in table and " 5 " in table and "U1482" in table


def test_non_numeric_depth(tmp_path: Path) -> None:
    rows = [*GOOD, ("363", "U1482", "A", "CC", "clay", 1.7)]
    path = write_lily_csv(tmp_path / "GRA_DataLITH.csv", "GRA", rows)
    message = _error(path, _config(tmp_path))
    assert "column 'Depth CSF-A (m)'" in message and "'CC'" in message


def test_non_numeric_feature_in_a_tidy_parquet(tmp_path: Path) -> None:
    path = tmp_path / "wells.parquet"
    pd.DataFrame(
        {"well": ["W1", "W1"], "depth": [0.0, 0.2], "facies": ["a", "b"], "vp": ["2000", "fast"]}
    ).to_parquet(path, index=False)
    config = ingest_config(
        {
            "data": {
                "source": "table",
                "table": {
                    "path": str(path),
                    "borehole_column": "well",
                    "depth_column": "depth",
                    "label_column": "facies",
                    "features": ["vp"],
                },
            },
            "ingest": {"bin_size_m": 0.2},
        }
    )
    message = _error(path, config, "table")
    assert f"file {path}" in message and "column 'vp'" in message and "'fast'" in message
    assert "Example rows" in message
    # Parquet has rows, not lines: 'fast' is its 2nd row
    examples = message.split("Example rows", 1)[1].splitlines()
    assert examples[1].split()[0] == "row" and "line" not in message
    assert examples[2].split()[:2] == ["0", "2"]


def test_borehole_without_any_depth(tmp_path: Path) -> None:
    rows = [
        *GOOD,
        ("363", "U1482", "B", None, "clay", 1.7),
        ("363", "U1482", "B", None, "ooze", 1.8),
    ]
    path = write_lily_csv(tmp_path / "GRA_DataLITH.csv", "GRA", rows)
    message = _error(path, _config(tmp_path))
    assert f"file {path}" in message and "column 'Depth CSF-A (m)'" in message
    assert "'363-U1482-B' have no depth" in message
    assert "Example rows (2 of 2)" in message


def test_no_rows_left_after_dropping_missing_values(tmp_path: Path) -> None:
    rows = [(e, s, h, d, None, v) for e, s, h, d, _, v in GOOD]
    path = write_lily_csv(tmp_path / "GRA_DataLITH.csv", "GRA", rows)
    message = _error(path, _config(tmp_path))
    assert f"file {path}" in message
    assert "no rows left after dropping rows with missing values (missing_label: 2)" in message
    assert "Example rows (2 of 2)" in message


def _one_table_pair(tmp_path: Path, ms_rows: list[tuple]) -> tuple[IngestConfig, list]:
    config = lily_config(tmp_path)
    tables = config["ingest"]["tables"]
    config["ingest"]["tables"] = {"GRA": tables["GRA"], "MS": tables["MS"]}
    config["ingest"]["filters"] = {"GRA": [0.3, 1.55]}
    ingest = ingest_config(config)
    gra = write_lily_csv(tmp_path / "GRA_DataLITH.csv", "GRA", GOOD)
    ms = write_lily_csv(tmp_path / "MS_DataLITH.csv", "MS", ms_rows)
    return ingest, [bin_table(gra, ingest, "GRA"), bin_table(ms, ingest, "MS")]


def test_no_rows_left_after_a_join(tmp_path: Path) -> None:
    ingest, binned = _one_table_pair(tmp_path, [("363", "U1482", "B", 0.0, "clay", 10.0)])
    with pytest.raises(InputDataError, match=r"\[file MS\] no rows left after joining MS"):
        merge_tables(binned, ingest, paths=None)


def test_no_rows_left_after_a_filter(tmp_path: Path) -> None:
    ingest, binned = _one_table_pair(tmp_path, [("363", "U1482", "A", 0.2, "clay", 10.0)])
    with pytest.raises(InputDataError) as caught:
        merge_tables(binned, ingest, paths={"GRA": "binned/GRA.parquet"})
    message = str(caught.value)
    assert "[file binned/GRA.parquet] no rows left after filter GRA outside [0.3, 1.55]" in message
    assert "Example rows (1 of 1)" in message and "363-U1482-A" in message


def test_header_without_rows(tmp_path: Path) -> None:
    path = write_lily_csv(tmp_path / "GRA_DataLITH.csv", "GRA", [])
    message = _error(path, _config(tmp_path))
    assert f"file {path}" in message and "no data rows" in message


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "GRA_DataLITH.csv"
    path.write_text("")
    message = _error(path, _config(tmp_path))
    assert f"file {path}" in message and "empty" in message


# --- raw-row checks, dropped boreholes, encodings and compression --------------------------------


def _checked_config(lily_dir: Path, **ingest) -> IngestConfig:
    config = lily_config(lily_dir)
    config["ingest"]["valid_ranges"] = {"depth_m": [0, None], "GRA": [0.0, 5.5]}
    config["ingest"].update(ingest)
    return ingest_config(config)


ABSURD = [
    ("363", "U1482", "A", 0.0, "clay", 1.5),
    ("363", "U1482", "A", 0.05, "clay", -1.5),  # negative density, same bin as the row above
    ("363", "U1482", "A", -5.0, "clay", 1.6),  # negative depth
    ("363", "U1482", "A", 0.2, "clay", 1.7),
]


def test_out_of_range_raw_rows_are_counted_and_kept_by_default(tmp_path: Path) -> None:
    path = write_lily_csv(tmp_path / "GRA_DataLITH.csv", "GRA", ABSURD)
    binned = bin_table(path, _checked_config(tmp_path), "GRA")
    report = binned.report
    assert report["valid_ranges"] == {
        "depth_m": {"range": [0.0, None], "rows_outside": 1},
        "GRA": {"range": [0.0, 5.5], "rows_outside": 1},
    }
    assert report["invalid_rows"] == "keep"
    assert report["rows_dropped"] == 0  # the investigation's behaviour: binned as before
    assert binned.frame["GRA"].iloc[1] == 0.0  # bin 0.0: (1.5 - 1.5) / 2


def test_out_of_range_raw_rows_are_dropped_before_binning(tmp_path: Path) -> None:
    path = write_lily_csv(tmp_path / "GRA_DataLITH.csv", "GRA", ABSURD)
    binned = bin_table(path, _checked_config(tmp_path, invalid_rows="drop"), "GRA")
    report = binned.report
    assert report["dropped"]["outside_valid_range_depth_m"] == 1
    assert report["dropped"]["outside_valid_range_GRA"] == 1
    assert report["rows_dropped"] == 2 and report["rows_binned"] == 2
    assert binned.frame["depth_bin_m"].tolist() == [0.0, 0.2]
    assert binned.frame["GRA"].tolist() == [1.5, 1.7]  # -1.5 no longer averaged in


def test_exact_duplicate_rows_are_counted_and_dropped_only_on_request(tmp_path: Path) -> None:
    rows = [*GOOD, GOOD[0], GOOD[0], ("363", "U1482", "A", 0.0, "sand", 1.5)]  # 2 exact repeats
    path = write_lily_csv(tmp_path / "GRA_DataLITH.csv", "GRA", rows)
    kept = bin_table(path, _checked_config(tmp_path), "GRA")
    assert kept.report["duplicate_rows"] == {"rows": 2, "action": "keep"}
    assert kept.frame["n_raw_GRA"].tolist() == [4, 1]
    dropped = bin_table(path, _checked_config(tmp_path, duplicate_rows="drop"), "GRA")
    assert dropped.report["duplicate_rows"] == {"rows": 2, "action": "drop"}
    assert dropped.report["dropped"]["duplicate_row"] == 2
    assert dropped.frame["n_raw_GRA"].tolist() == [2, 1]


def test_a_borehole_losing_every_row_is_named(tmp_path: Path, caplog) -> None:
    rows = [*GOOD, ("368X", "U1503", "A", 1.0, None, 2.0), ("368X", "U1503", "A", 1.2, None, 2.1)]
    path = write_lily_csv(tmp_path / "GRA_DataLITH.csv", "GRA", rows)
    config = _checked_config(tmp_path)
    with caplog.at_level("WARNING"):
        binned = bin_table(path, config, "GRA")
    assert binned.report["boreholes_dropped"] == {
        "368X-U1503-A": "all 2 rows dropped (missing_label: 2)"
    }
    assert "368X-U1503-A" in caplog.text
    ms = write_lily_csv(
        tmp_path / "MS_DataLITH.csv", "MS", [("363", "U1482", "A", 0.0, "clay", 5.0)]
    )
    ngr = write_lily_csv(
        tmp_path / "NGR_DataLITH.csv", "NGR", [("363", "U1482", "A", 0.0, "clay", 5.0, 1.0)]
    )
    rgb = write_lily_csv(
        tmp_path / "RGB_DataLITH.csv", "RGB", [("363", "U1482", "A", 0.0, "clay", 5, 5, 5)]
    )
    tables = [
        binned,
        *(bin_table(p, config, t) for p, t in ((ms, "MS"), (ngr, "NGR"), (rgb, "RGB"))),
    ]
    report = merge_tables(tables, config).report
    assert report["boreholes_dropped"] == [
        {
            "borehole_id": "368X-U1503-A",
            "step": "bin GRA",
            "reason": "all 2 rows dropped (missing_label: 2)",
        },
    ]
    # 363-U1482-A's bin 0.2 has no MS bin, but the borehole keeps bin 0.0: not dropped.
    assert [s["boreholes_dropped"] for s in report["steps"] if s["step"] == "join MS"] == [[]]


def test_non_utf8_label_names_file_column_and_line(tmp_path: Path) -> None:
    path = write_lily_csv(
        tmp_path / "GRA_DataLITH.csv", "GRA", [*GOOD, ("363", "U1482", "A", 0.4, "XLABELX", 1.6)]
    )
    path.write_bytes(path.read_bytes().replace(b"XLABELX", b"cl\xe9y"))
    message = _error(path, _config(tmp_path))
    assert f"file {path}" in message
    assert "column 'Principal'" in message
    assert "line(s) '4'" in message
    assert "cl\\xe9y" in message


def test_gzip_file_named_csv_is_named(tmp_path: Path) -> None:
    plain = write_lily_csv(tmp_path / "plain.csv", "GRA", GOOD)
    path = tmp_path / "GRA_DataLITH.csv"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    message = _error(path, _config(tmp_path))
    assert f"file {path}" in message and "gzip-compressed" in message and ".gz" in message


def test_truncated_gzip_is_named(tmp_path: Path) -> None:
    plain = write_lily_csv(tmp_path / "plain.csv", "GRA", GOOD * 200)
    path = tmp_path / "GRA_DataLITH.csv.gz"
    data = gzip.compress(plain.read_bytes())
    path.write_bytes(data[: len(data) // 2])
    message = _error(path, _config(tmp_path))
    assert f"file {path}" in message and "truncated or corrupt" in message


def test_gzip_csv_is_read(tmp_path: Path) -> None:
    plain = write_lily_csv(tmp_path / "plain.csv", "GRA", GOOD)
    path = tmp_path / "GRA_DataLITH.csv.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    assert bin_table(path, _config(tmp_path), "GRA").report["rows_read"] == 2
