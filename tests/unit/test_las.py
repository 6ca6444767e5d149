"""The las input kind on hand-made LAS 2.0 files, and on the 29 FORCE 2020 wells when present."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from lithoflow.core.errors import ConfigError, InputDataError
from lithoflow.ingest.las import LasConfig, las_files, read_las_rows
from lithoflow.ingest.merge import merge_tables
from lithoflow.ingest.tables import bin_table
from lithoflow.settings import validate as validate_config
from tests.support.config import check_config, ingest_config, las_config
from tests.support.las_files import write_las

LABEL = "LITH"


def las_text(
    rows: list[tuple[float, ...]],
    curves: tuple[str, ...] = ("DEPT", "GR", "DEN", LABEL),
    unit: str = "m",
    well: str = "W 1",
    null: float = -999.25,
) -> str:
    """A small LAS 2.0 file: depth in the first column, one line per row."""
    curve_lines = "\n".join(
        f"{name}.{unit if i == 0 else ''} : {name}" for i, name in enumerate(curves)
    )
    data = "\n".join(" ".join(f"{v:g}" for v in row) for row in rows)
    return (
        "# made by hand\n~Version information\nVERS. 2.0 : CWLS\nWRAP. NO :\n"
        f"~Well\nSTRT.{unit} {rows[0][0]:g} :\nSTOP.{unit} {rows[-1][0]:g} :\n"
        f"NULL. {null:g} :\nWELL. {well} : WELL\nUWI. {well.replace(' ', '')} : UWI\n"
        f"~Curve\n{curve_lines}\n~Ascii\n{data}\n"
    )


def config(**overrides) -> LasConfig:
    settings = {
        "path": "unused",
        "curves": {"GR": "GR", "RHOB": ["RHOB", "DEN", "ZDEN"]},
        "label_curve": LABEL,
        **overrides,
    }
    return las_config(settings)


ROWS = [(100.0, 50.0, 2.1, 30000), (100.5, -999.25, 2.2, 30000), (101.0, 70.0, 2.3, 65000)]


def test_aliases_null_and_label_codes_as_strings(tmp_path):
    path = write_las(tmp_path, "A.las", las_text(ROWS))
    rows = read_las_rows([path], config())
    assert list(rows.borehole_ids) == ["A"]
    np.testing.assert_allclose(rows.depth_m, [100.0, 100.5, 101.0])
    assert np.isnan(rows.values[1, 0])  # the NULL value is missing
    np.testing.assert_allclose(rows.values[:, 1], [2.1, 2.2, 2.3])  # RHOB found under DEN
    assert list(rows.label_names) == ["30000", "65000"]
    assert rows.sources[0]["curves"] == {"GR": "GR", "RHOB": "DEN"}


def test_feet_become_metres_and_gzip_is_read(tmp_path):
    feet = [(1000.0, 50.0, 2.1, 30000), (1001.0, 60.0, 2.2, 30000)]
    path = write_las(tmp_path, "B.las.gz", las_text(feet, unit="F"))
    rows = read_las_rows([path], config())
    np.testing.assert_allclose(rows.depth_m, [304.8, 305.1048])
    assert rows.sources[0]["depth_unit"] == "F"
    assert list(rows.borehole_ids) == ["B"]


def test_code_table_from_csv_and_mapping(tmp_path):
    path = write_las(tmp_path, "A.las", las_text(ROWS))
    table = tmp_path / "codes.csv"
    table.write_text("code,lithology\n30000,Sandstone\n65000,Shale\n")
    assert list(read_las_rows([path], config(label_codes=str(table))).label_names) == [
        "Sandstone",
        "Shale",
    ]
    mapping = {30000: "Sandstone", 65000: "Sandstone/Shale"}
    rows = read_las_rows([path], config(label_codes=mapping))
    assert list(rows.label_names[rows.label_code]) == ["Sandstone", "Sandstone", "Sandstone/Shale"]
    with pytest.raises(InputDataError, match=r"label code\(s\) '65000' are not in the code table"):
        read_las_rows([path], config(label_codes={30000: "Sandstone"}))


def test_missing_curve_keeps_the_well_and_counts_its_rows(tmp_path):
    with_density = write_las(tmp_path, "A.las", las_text(ROWS))
    no_density = write_las(
        tmp_path, "B.las", las_text([(5.0, 40.0, 30000), (5.5, 45.0, 30000)], ("DEPT", "GR", LABEL))
    )
    settings = {
        "data": {
            "source": "las",
            "las": {
                "path": str(tmp_path),
                "curves": {"GR": "GR", "RHOB": ["RHOB", "DEN"]},
                "label_curve": LABEL,
            },
        },
        "ingest": {"bin_size_m": 0.5, "filters": {}},
    }
    ingest = ingest_config(settings)
    binned = bin_table(las_files(tmp_path), ingest, "las")
    wells = {w["borehole_id"]: w for w in binned.report["wells"]}
    assert [str(with_density), str(no_density)] == las_files(tmp_path)
    assert wells["B"]["curves"] == {"GR": "GR", "RHOB": None}
    assert wells["B"]["curves_missing"] == ["RHOB"]
    assert wells["B"]["dropped"]["missing_RHOB"] == 2 and wells["B"]["bins"] == 0
    assert wells["A"]["dropped"]["missing_GR"] == 1 and wells["A"]["bins"] == 2
    # With RHOB read but not a model feature, well B keeps its rows.
    settings["data"]["las"]["features"] = ["GR"]
    binned = bin_table(las_files(tmp_path), ingest_config(settings), "las")
    assert binned.frame.groupby("borehole_id").size().to_dict() == {"A": 2, "B": 2}
    merged = merge_tables([binned], ingest_config(settings))
    assert merged.features == ("GR",) and len(merged.frame) == 4


def test_feature_in_no_file_is_warned(tmp_path, caplog):
    path = write_las(tmp_path, "A.las", las_text(ROWS))
    settings = {"curves": {"GR": "GR", "RHOB": "DEN", "PEF": ["PEF", "PE"]}}
    with caplog.at_level("WARNING", logger="lithoflow.ingest.las"):
        rows = read_las_rows([path], config(**settings))
    assert np.isnan(rows.values[:, 2]).all()
    warned = [r.getMessage() for r in caplog.records if "feature PEF" in r.getMessage()]
    assert len(warned) == 1 and "'PEF', 'PE'" in warned[0] and "any of the 1 files" in warned[0]
    assert not [r for r in caplog.records if "feature GR" in r.getMessage()]


def test_label_curve_absent_counts_rows_as_unlabelled(tmp_path):
    write_las(tmp_path, "A.las", las_text(ROWS))
    write_las(
        tmp_path, "B.las", las_text([(5.0, 40.0, 2.0), (5.5, 45.0, 2.1)], ("DEPT", "GR", "DEN"))
    )
    rows = read_las_rows(las_files(tmp_path), config())
    assert rows.sources[1]["label_curve_found"] is False
    assert (rows.label_code[rows.borehole_code == 1] == -1).all()


def test_confidence_filter_counts_dropped_rows(tmp_path):
    rows = [(1.0, 50.0, 2.0, 30000, 1), (1.5, 51.0, 2.0, 30000, 3), (2.0, 52.0, 2.0, 30000, 2)]
    write_las(tmp_path, "A.las", las_text(rows, ("DEPT", "GR", "DEN", LABEL, "CONF")))
    settings = {
        "data": {
            "source": "las",
            "las": {
                "path": str(tmp_path),
                "curves": {"GR": "GR"},
                "label_curve": LABEL,
                "confidence": {"curve": "CONF", "max": 2},
            },
        },
        "ingest": {"bin_size_m": 0.5, "filters": {}},
    }
    binned = bin_table(las_files(tmp_path), ingest_config(settings), "las")
    assert binned.report["dropped"]["low_confidence"] == 1
    assert binned.report["wells"][0]["dropped"]["low_confidence"] == 1
    assert len(binned.frame) == 2


def test_borehole_id_from_header_and_duplicates(tmp_path):
    write_las(tmp_path, "a.las", las_text(ROWS, well="W 1"))
    write_las(tmp_path, "b.las.gz", las_text(ROWS, well="W 1"))
    with pytest.raises(InputDataError, match="two files give the borehole id 'W 1'"):
        read_las_rows(las_files(tmp_path), config(borehole_id="WELL"))
    rows = read_las_rows([tmp_path / "a.las"], config(borehole_id="UWI"))
    assert list(rows.borehole_ids) == ["W1"]
    write_las(tmp_path, "a.las.gz", las_text(ROWS))  # a.las and a.las.gz: same file stem
    with pytest.raises(InputDataError, match="two files give the borehole id 'a'"):
        read_las_rows(las_files(tmp_path), config())


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notlas.las", "depth,gr\n1,2\n", "not a LAS file: the first section must be ~Version"),
        ("cut.las", las_text(ROWS)[:-7], r"cannot read as LAS 2.0 \(truncated file\?\)"),
        ("noascii.las", las_text(ROWS).split("~Ascii")[0], "no ~ASCII data section"),
        ("cut.las.gz", b"", "cannot decompress the file"),
        (
            "nodepth.las",
            las_text(ROWS, ("TIME", "GR", "DEN", LABEL)),
            "no depth curve: none of 'DEPT', 'DEPTH', 'MD' is in the file",
        ),
        ("unit.las", las_text(ROWS, unit="cm"), "unknown depth unit 'cm' of curve DEPT"),
        (
            "order.las",
            las_text([ROWS[0], ROWS[2], ROWS[1]]),
            "non-monotonic depths: the DEPT curve must increase",
        ),
        ("dup.las", las_text([ROWS[0], ROWS[0], ROWS[1]]), "duplicated depths"),
        (
            "accent.las",
            las_text(ROWS).replace("~Well\n", "~Well\nCOMP. Sk\u00e5le :\n").encode("latin-1"),
            "non-ASCII byte 0xe5 in the LAS header, line 6",
        ),
    ],
)
def test_bad_input_names_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    if name == "cut.las.gz":
        path.write_bytes(gzip.compress(las_text(ROWS).encode())[:40])
    else:
        write_las(tmp_path, name, content)
    with pytest.raises(InputDataError, match=message) as caught:
        read_las_rows([path], config())
    assert name in str(caught.value)


def test_no_files_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"data\.las\.path: no LAS files"):
        las_files(tmp_path)
    write_las(tmp_path, "x.txt", "hello")
    with pytest.raises(ConfigError, match="no LAS files"):
        las_files(tmp_path / "*.las")
    with pytest.raises(ConfigError, match=r"^config key predict\.data\.las\.path: no LAS files"):
        las_files(tmp_path, "predict.data.las.path")


def test_config_checks(repo_root):
    import yaml

    base = yaml.safe_load((repo_root / "examples" / "force2020" / "config.yaml").read_text())
    validate_config(base, repo_root / "workflow" / "schemas" / "config.schema.yaml")
    base["data"]["las"]["features"] = ["GR", "XX"]
    with pytest.raises(ConfigError, match=r"data.las.features: 'XX' not in data.las.curves"):
        check_config(base)
    base["data"]["las"]["features"] = ["GR"]
    base["data"]["las"]["curves"]["SP"] = ["SP", "GR"]
    with pytest.raises(ConfigError, match=r"data\.las\.curves\.SP: mnemonic 'GR' is also listed"):
        check_config(base)


# --------------------------------------------------------------------------------------------
# The 29 FORCE 2020 wells (skipped when the folder is absent)


def test_force2020_wells_rows_and_curves(force2020):
    wells = pd.read_csv(force2020 / "wells.csv").set_index("borehole")
    features = ["GR", "RHOB", "NPHI", "RDEP", "RMED", "DTC", "PEF", "CALI", "SP", "DRHO"]
    las = config(
        curves={f: f for f in features},
        label_curve="FORCE_2020_LITHOFACIES_LITHOLOGY",
        label_codes=str(force2020 / "lithology_codes.csv"),
    )
    rows = read_las_rows(las_files(force2020 / "las"), las)
    assert rows.n_rows == 380_611 == wells["rows"].sum()
    assert int((rows.label_code >= 0).sum()) == 244_096 == wells["labelled_rows"].sum()
    assert sorted(rows.borehole_ids) == sorted(wells.index)
    assert len(rows.label_names) == 10 and "Shale" in rows.label_names
    for source in rows.sources:
        expected = wells.loc[source["borehole_id"]]
        listed = set(expected["curves"].upper().split())
        found = {f for f, mnemonic in source["curves"].items() if mnemonic is not None}
        assert found == {f for f in features if f in listed}, source["borehole_id"]
        assert source["rows"] == expected["rows"]
        assert source["labelled_rows"] == expected["labelled_rows"]
        assert source["top_m"] == pytest.approx(expected["top_m"])
        assert source["bottom_m"] == pytest.approx(expected["bottom_m"])
        # Sound files: no warning (their STOP lies up to 0.995 step past the last sample), and
        # the header's NULL (-999.25) is the gap value they use.
        assert source["warnings"] == [], source["borehole_id"]
        assert source["null_value"] == -999.25 and source["null_values_replaced"]


def test_force2020_well_cut_at_a_line_boundary(force2020, tmp_path):
    text = gzip.decompress((force2020 / "las" / "32_2-1.las.gz").read_bytes()).decode("latin-1")
    header, data = text.split("~A", 1)
    path = tmp_path / "32_2-1.las"
    path.write_text(header + "~A" + "\n".join(data.split("\n")[:3954]) + "\n")
    las = config(label_curve="FORCE_2020_LITHOFACIES_LITHOLOGY")
    (warning,) = read_las_rows([path], las).sources[0]["warnings"]
    assert warning.startswith(f"well 32_2-1 ({path}): the data do not match the ~Well header")
    assert "the header's STOP is 1,300.02 m but the data end at 979.772 m" in warning
    assert "(3,953 rows read; STRT/STOP/STEP imply 6,059): truncated file?" in warning
    with pytest.raises(InputDataError, match=r"the header's STOP is 1,300\.02 m"):
        read_las_rows([path], config(label_curve=las.label_curve, header_mismatch="error"))
