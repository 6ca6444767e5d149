"""Bad LAS input (issue 25): what a user reads when a file's gaps, header, wrapping, compression,
version or well name are off. docs/bad_input.md lists every case with its message."""

from __future__ import annotations

import gzip
import logging
import re

import numpy as np
import pytest

from lithoflow.core.errors import InputDataError
from lithoflow.ingest.las import las_files, read_las_rows, read_las_well
from lithoflow.ingest.tables import bin_table
from tests.support.config import ingest_config, las_config
from tests.support.las_files import write_las

LABEL = "LITH"
CURVES = ("DEPT", "GR", "DEN", LABEL)


def las_file(
    rows: list[tuple[float, ...]],
    *,
    curves: tuple[str, ...] = CURVES,
    unit: str = "m",
    header_unit: str | None = None,
    strt: float | None = None,
    stop: float | None = None,
    step: float | None = None,
    null: float | None = -999.25,
    well: str = "W 1",
    uwi: str | None = None,
    wrap: tuple[int, ...] | None = None,
) -> str:
    """A LAS 2.0 file; STRT/STOP default to the first/last depth, STEP is left out unless given.
    `wrap` writes each row over several lines (WRAP YES) with that many values per line."""
    header_unit = unit if header_unit is None else header_unit
    strt = rows[0][0] if strt is None and rows else strt
    stop = rows[-1][0] if stop is None and rows else stop
    well_lines = [f"STRT.{header_unit} {strt:g} :", f"STOP.{header_unit} {stop:g} :"]
    if step is not None:
        well_lines.append(f"STEP.{header_unit} {step:g} :")
    if null is not None:
        well_lines.append(f"NULL. {null:g} :")
    well_lines += [f"WELL. {well} : WELL", f"UWI. {uwi or well.replace(' ', '')} : UWI"]
    curve_lines = [f"{name}.{unit if i == 0 else ''} : {name}" for i, name in enumerate(curves)]
    lines = []
    for row in rows:
        values = [f"{v:g}" for v in row]
        if wrap is None:
            lines.append(" ".join(values))
            continue
        start = 0
        for size in wrap:
            lines.append(" ".join(values[start : start + size]))
            start += size
    return "\n".join(
        [
            "~Version information",
            "VERS. 2.0 : CWLS",
            f"WRAP. {'NO' if wrap is None else 'YES'} :",
            "~Well",
            *well_lines,
            "~Curve",
            *curve_lines,
            "~Ascii",
            *lines,
            "",
        ]
    )


def config(**overrides):
    settings = {
        "path": "unused",
        "curves": {"GR": "GR", "RHOB": ["RHOB", "DEN"]},
        "label_curve": LABEL,
        **overrides,
    }
    return las_config(settings)


def rows_at(depths, gr=None) -> list[tuple[float, ...]]:
    gr = gr if gr is not None else [50.0 + i for i in range(len(depths))]
    return [(d, g, 2.1, 30000) for d, g in zip(depths, gr, strict=True)]


DEPTHS = [100.0 + 0.5 * i for i in range(6)]  # 100 ... 102.5 m, step 0.5


# --------------------------------------------------------------------------------------------
# 1. The header's NULL differs from the gap value the data use


def test_common_sentinels_are_missing_counted_and_warned(tmp_path, caplog):
    gaps = [-999.25, 51.0, 52.0, -999.25, -999.0, 55.0]
    path = write_las(tmp_path, "A.las", las_file(rows_at(DEPTHS, gaps), null=-9999))
    with caplog.at_level(logging.WARNING, logger="lithoflow.ingest.las"):
        well = read_las_well(path, config())
    assert np.isnan(well.values[:, 0]).tolist() == [True, False, False, True, True, False]
    assert well.report["null_value"] == -9999
    assert well.report["null_values_replaced"] == {"GR": 3}
    (warning,) = well.report["warnings"]
    assert "the header's NULL -9999 never occurs in the data, but -999.25, -999 do" in warning
    assert "(3 values in 1 curve)" in warning and "A.las" in warning
    assert warning in caplog.text


def test_null_values_key_replaces_the_sentinels(tmp_path):
    gaps = [-999.25, 51.0, 52.0, -1.0, 54.0, 55.0]
    path = write_las(tmp_path, "A.las", las_file(rows_at(DEPTHS, gaps), null=-999.25))
    well = read_las_well(path, config(null_values=[-1]))
    assert np.isnan(well.values[:, 0]).sum() == 2
    assert well.report["null_values_replaced"] == {"GR": 2}
    assert well.report["warnings"] == []  # the declared NULL occurs: nothing to warn about
    well = read_las_well(path, config(null_values=[]))  # only the header's NULL
    assert well.values[3, 0] == -1.0 and well.report["null_values_replaced"] == {"GR": 1}


# --------------------------------------------------------------------------------------------
# 2. The data do not span the header's STRT/STOP/STEP (a file cut at a line boundary)


def test_cut_file_warns_with_the_numbers(tmp_path, caplog):
    text = las_file(rows_at(DEPTHS), stop=110.0, step=0.5)
    path = write_las(tmp_path, "cut.las", text)
    with caplog.at_level(logging.WARNING, logger="lithoflow.ingest.las"):
        well = read_las_well(path, config())
    (warning,) = well.report["warnings"]
    assert "well cut" in warning and "cut.las" in warning
    assert "the header's STOP is 110 m but the data end at 102.5 m" in warning
    assert "6 rows read; STRT/STOP/STEP imply 21" in warning
    assert warning in caplog.text
    with pytest.raises(
        InputDataError, match=r"the header's STOP is 110 m but the data end at 102\.5"
    ):
        read_las_well(path, config(header_mismatch="error"))


def test_header_step_and_start_mismatch(tmp_path):
    text = las_file(rows_at(DEPTHS), strt=99.0, step=0.25)
    well = read_las_well(write_las(tmp_path, "A.las", text), config())
    (warning,) = well.report["warnings"]
    assert "the header's STRT is 99 m but the data start at 100 m" in warning
    assert "the header's STEP is 0.25 m but the data step by 0.5 m" in warning


def test_stop_within_a_step_of_the_last_depth_is_no_mismatch(tmp_path):
    # FORCE 2020 wells give STOP up to 0.99 step below or above the last sample.
    text = las_file(rows_at(DEPTHS), stop=102.5 + 0.45, step=0.5)
    well = read_las_well(write_las(tmp_path, "A.las", text), config(header_mismatch="error"))
    assert well.report["warnings"] == []


# --------------------------------------------------------------------------------------------
# 3. Conflicting depth units in the header


def test_conflicting_depth_units_are_an_error(tmp_path):
    path = write_las(tmp_path, "units.las", las_file(rows_at(DEPTHS), unit="m", header_unit="F"))
    with pytest.raises(InputDataError, match="conflicting depth units") as caught:
        read_las_well(path, config())
    message = str(caught.value)
    assert "units.las" in message
    assert "the depth curve DEPT is in 'm' but the ~Well STRT is in 'F'" in message


def test_same_unit_spelled_differently_is_no_conflict(tmp_path):
    path = write_las(tmp_path, "A.las", las_file(rows_at(DEPTHS), unit="M", header_unit="metres"))
    np.testing.assert_allclose(read_las_well(path, config()).depth_m, DEPTHS)


# --------------------------------------------------------------------------------------------
# 4. Wrapped files (~Version WRAP. YES)


@pytest.mark.parametrize("wrap", [(1, 1, 1, 1), (2, 2), (1, 3), (1, 2, 1)])
def test_wrapped_files_are_read(tmp_path, wrap):
    gaps = [50.0, -999.25, 52.0, 53.0, 54.0, 55.0]
    path = write_las(tmp_path, "W.las", las_file(rows_at(DEPTHS, gaps), wrap=wrap))
    well = read_las_well(path, config())
    np.testing.assert_allclose(well.depth_m, DEPTHS)
    np.testing.assert_allclose(well.values[:, 0], [50.0, np.nan, 52.0, 53.0, 54.0, 55.0])
    np.testing.assert_allclose(well.values[:, 1], 2.1)
    assert well.report["wrapped"] is True
    assert well.report["null_values_replaced"] == {"GR": 1}


def test_wrapped_file_cut_mid_row(tmp_path):
    text = las_file(rows_at(DEPTHS), wrap=(1, 3)).rstrip("\n").rsplit("\n", 1)[0] + "\n"
    path = write_las(tmp_path, "W.las", text)
    with pytest.raises(InputDataError, match=r"wrapped data \(~Version WRAP YES\): 21 values"):
        read_las_well(path, config())


# --------------------------------------------------------------------------------------------
# 5. A gzip file named .las; 6. LAS 3.0


def test_gzip_named_las_is_read_with_a_warning(tmp_path):
    path = tmp_path / "Z.las"
    path.write_bytes(gzip.compress(las_file(rows_at(DEPTHS)).encode()))
    well = read_las_well(path, config())
    np.testing.assert_allclose(well.depth_m, DEPTHS)
    (warning,) = well.report["warnings"]
    assert "Z.las" in warning and "gzip-compressed but named .las" in warning
    assert "rename it to Z.las.gz" in warning


LAS3 = """~Version
VERS. 3.0 : CWLS LOG ASCII STANDARD - VERSION 3.0
WRAP. NO :
DLM . SPACE :
~Well
STRT.m 1 :
STOP.m 2 :
NULL. -999.25 :
WELL. X :
~Log_Definition
DEPT.m : depth
GR. : gamma ray
~Log_Data | Log_Definition
1 50
2 60
"""


def test_las3_is_named_as_unsupported(tmp_path):
    path = write_las(tmp_path, "v3.las", LAS3)
    with pytest.raises(InputDataError) as caught:
        read_las_well(path, config())
    message = str(caught.value)
    assert "v3.las" in message
    assert "LAS 3.0 is not supported (lasio reads LAS 1.2 and 2.0)" in message


# --------------------------------------------------------------------------------------------
# 7. The same well under two file names


def test_same_well_in_two_files_warns_naming_both(tmp_path, caplog):
    write_las(tmp_path, "a.las", las_file(rows_at(DEPTHS), well="W 1"))
    write_las(tmp_path, "b.las", las_file(rows_at(DEPTHS), well="W 1"))
    write_las(tmp_path, "c.las", las_file(rows_at(DEPTHS), well="W 2"))
    with caplog.at_level(logging.WARNING, logger="lithoflow.ingest.las"):
        rows = read_las_rows(las_files(tmp_path), config())
    assert list(rows.borehole_ids) == ["a", "b", "c"]  # still read, as separate boreholes
    warnings = [source["warnings"] for source in rows.sources]
    (warning,) = warnings[0]
    assert warnings[1] == [warning] and warnings[2] == []
    assert "a.las" in warning and "b.las" in warning
    assert "give the same ~Well WELL 'W 1' and UWI 'W1'" in warning
    assert warning in caplog.text


# --------------------------------------------------------------------------------------------
# 8. A file with a header but no data rows


def test_header_only_file_is_reported(tmp_path):
    full = write_las(tmp_path, "A.las", las_file(rows_at(DEPTHS)))
    empty = write_las(
        tmp_path, "E.las", las_file(rows_at(DEPTHS), well="W 2").split("~Ascii")[0] + "~Ascii\n"
    )
    rows = read_las_rows([full, empty], config())
    report = rows.sources[1]
    assert report["borehole_id"] == "E" and report["rows"] == 0
    (warning,) = report["warnings"]
    assert "E.las" in warning and "no data rows (the ~ASCII section is empty)" in warning


def test_header_only_file_is_in_boreholes_dropped(tmp_path):
    write_las(tmp_path, "A.las", las_file(rows_at(DEPTHS)))
    write_las(
        tmp_path, "E.las", las_file(rows_at(DEPTHS), well="W 2").split("~Ascii")[0] + "~Ascii\n"
    )
    settings = {
        "data": {
            "source": "las",
            "las": {"path": str(tmp_path), "curves": {"GR": "GR"}, "label_curve": LABEL},
        },
        "ingest": {"bin_size_m": 0.5, "filters": {}},
    }
    binned = bin_table(las_files(tmp_path), ingest_config(settings), "las")
    assert binned.report["boreholes_dropped"] == {"E": "no data rows (header only)"}


# --------------------------------------------------------------------------------------------
# 9. Unknown label codes: counts and example rows


def test_unknown_label_codes_count_every_row(tmp_path):
    labelled = [(100.0 + i, 50.0, 2.1, 65000 if i < 10 else 99) for i in range(12)]
    labelled[3] = (103.0, 50.0, 2.1, 30000)
    path = write_las(tmp_path, "A.las", las_file(labelled))
    with pytest.raises(InputDataError) as caught:
        read_las_rows([path], config(label_codes={30000: "Sandstone"}))
    message = str(caught.value)
    assert "label code(s) '99', '65000' are not in the code table" in message
    assert "rows carrying them: '99': 2, '65000': 9" in message
    assert "Example rows (5 of 11)" in message
    # Each unknown code shows at least one row: '99' first appears on data row 11.
    examples = message.split("Example rows")[1]
    assert re.search(r"\b11\s+99\.0\b", examples)
