"""The LILY simulator at tiny scale: schema, LILY quirks, coverage structure and determinism."""

from __future__ import annotations

import filecmp
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lithoflow.core.errors import ConfigError
from lithoflow.simulate.calibration import load_calibration
from lithoflow.simulate.lily import simulate_lily
from lithoflow.simulate.lithology import build_vocabulary
from lithoflow.simulate.tables import table_columns

# docs/calibration.md §1.1: the exact GRA_DataLITH.csv header.
GRA_HEADER = [
    "Exp", "Site", "Hole", "Core", "Type", "Sect", "A/W", "Offset (cm)", "Depth CSF-A (m)",
    "Depth CSF-B (m)", "Bulk density (GRA)", "Timestamp (UTC)", "Instrument", "Instrument group",
    "Text ID", "Test No.", "Comments", "Sample comments", "Test comments", "Result comments",
    "Prefix", "Principal", "Suffix", "Full Lithology", "Simplified Lithology", "Lithology Type",
    "Degree of Consolidation", "Lithology Subtype", "Expanded Core Type", "Latitude (DD)",
    "Longitude (DD)", "Water Depth (mbsl)",
]  # fmt: skip
MEASUREMENTS = {
    "GRA": ["Bulk density (GRA)"],
    "MS": ["Magnetic susceptibility (instr. units)"],
    "NGR": ["NGR total counts (cps)", "Error (cps)"],
    "RGB": ["R", "G", "B"],
}
PAIRING_KEY = ["Exp", "Site", "Hole", "Core", "Type", "Sect", "Offset (cm)"]
TEXT = {"Exp": str, "Site": str, "Hole": str, "Sect": str, "Type": str, "A/W": str}


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny")
    simulate_lily(out, scale="tiny", seed=42)
    return out


@pytest.fixture(scope="module")
def tables(tiny_dir: Path) -> dict[str, pd.DataFrame]:
    return {
        t: pd.read_csv(tiny_dir / f"{t}_DataLITH.csv", dtype=TEXT, keep_default_na=False,
                       na_values={c: [""] for c in ("A/W", "Prefix", "Suffix")})
        for t in MEASUREMENTS
    }  # fmt: skip


def test_writes_the_four_lily_files(tmp_path: Path, tiny_dir: Path) -> None:
    names = sorted(p.name for p in tiny_dir.iterdir())
    assert names == sorted(f"{t}_DataLITH.csv" for t in MEASUREMENTS)
    assert not list(tiny_dir.glob(".*"))  # no temporary files left behind


def test_gra_header_is_lilys_32_columns_in_order(tiny_dir: Path) -> None:
    header = (tiny_dir / "GRA_DataLITH.csv").open().readline().rstrip("\n").split(",")
    assert header == GRA_HEADER
    assert len(header) == 32


@pytest.mark.parametrize("table", ["MS", "NGR", "RGB"])
def test_other_tables_swap_in_their_measurement_columns(tiny_dir: Path, table: str) -> None:
    header = (tiny_dir / f"{table}_DataLITH.csv").open().readline().rstrip("\n").split(",")
    expected = GRA_HEADER[:10] + MEASUREMENTS[table] + GRA_HEADER[11:]
    assert header == expected == table_columns(table)


def test_every_row_has_the_header_width(tables: dict[str, pd.DataFrame]) -> None:
    for table, frame in tables.items():
        assert frame.shape[1] == 31 + len(MEASUREMENTS[table])
        assert len(frame) > 1000


def test_exp_mixes_numbers_and_368x(tables: dict[str, pd.DataFrame]) -> None:
    exps = set(tables["GRA"]["Exp"])
    assert "368X" in exps
    assert any(e.isdigit() for e in exps)
    # pandas' own type inference sees a mixed column, as with the real file.
    assert set(tables["RGB"]["Exp"]) >= {"368X"}


def test_sections_are_numbers_and_core_catchers(tables: dict[str, pd.DataFrame]) -> None:
    sections = set(tables["GRA"]["Sect"])
    assert "CC" in sections
    assert {"1", "2"} <= sections
    assert all(s == "CC" or s.isdigit() for s in sections)


def test_aw_is_empty_on_whole_round_tracks(tables: dict[str, pd.DataFrame]) -> None:
    for table in ("GRA", "MS", "NGR"):
        assert tables[table]["A/W"].isna().all()
    assert (tables["RGB"]["A/W"] == "A").all()


def test_prefix_and_suffix_are_mostly_empty(tables: dict[str, pd.DataFrame]) -> None:
    gra = tables["GRA"]
    for column in ("Prefix", "Suffix"):
        share = gra[column].notna().mean()
        assert 0.02 < share < 0.5, (column, share)
    assert gra["Principal"].notna().all() and (gra["Principal"] != "").all()
    with_both = gra.dropna(subset=["Prefix", "Suffix"]).head(20)
    for row in with_both.itertuples(index=False):
        assert row._23 == f"{row.Prefix} {row.Principal} {row.Suffix}"


def test_contact_rows_are_duplicated_once_per_lithology(tables: dict[str, pd.DataFrame]) -> None:
    gra = tables["GRA"]
    dup = gra[gra.duplicated(PAIRING_KEY, keep=False)]
    assert len(dup) > 0
    per_key = dup.groupby(PAIRING_KEY, sort=False)
    # Each duplicate group is one measurement described as different lithologies (a different
    # principal, or the same principal with other modifiers).
    assert (per_key["Full Lithology"].nunique() == per_key.size()).all()
    assert (per_key["Principal"].nunique() > 1).mean() > 0.8
    assert (per_key["Bulk density (GRA)"].nunique(dropna=False) == 1).all()
    assert (per_key["Depth CSF-A (m)"].nunique() == 1).all()


def test_position_is_constant_per_hole(tables: dict[str, pd.DataFrame]) -> None:
    for frame in tables.values():
        per_hole = frame.groupby(["Exp", "Site", "Hole"])
        for column in ("Latitude (DD)", "Longitude (DD)", "Water Depth (mbsl)"):
            assert (per_hole[column].nunique() == 1).all()
    gra = tables["GRA"]
    assert gra["Latitude (DD)"].between(-90, 90).all()
    assert gra["Longitude (DD)"].between(-180, 180).all()
    assert (gra["Water Depth (mbsl)"] > 0).all()


def test_depths_offsets_and_core_types(tables: dict[str, pd.DataFrame]) -> None:
    gra = tables["GRA"]
    assert (gra["Depth CSF-B (m)"] <= gra["Depth CSF-A (m)"] + 1e-9).all()
    assert gra["Offset (cm)"].between(0, 160).all()
    pairs = set(zip(gra["Type"], gra["Expanded Core Type"], strict=True))
    allowed = {("H", "APC"), ("H", "HLAPC"), ("F", "HLAPC"), ("X", "XCB"), ("R", "RCB")}
    assert pairs <= allowed
    assert {"APC", "RCB"} <= {p[1] for p in pairs}
    assert set(gra["Degree of Consolidation"]) <= {"unconsolidated", "consolidated",
                                                    "indeterminate"}  # fmt: skip
    assert set(gra["Lithology Type"]) <= {"sedimentary", "igneous", "metamorphic"}


def test_instrument_spacing(tables: dict[str, pd.DataFrame]) -> None:
    def steps(frame: pd.DataFrame) -> pd.Series:
        key = ["Exp", "Site", "Hole", "Core", "Sect"]
        offsets = frame.drop_duplicates([*key, "Offset (cm)"])
        return offsets.groupby(key)["Offset (cm)"].diff().dropna().round(3)

    assert steps(tables["GRA"]).mode().iloc[0] in (2.0, 2.5)
    assert steps(tables["MS"]).mode().iloc[0] in (2.0, 2.5)
    assert steps(tables["NGR"]).mode().iloc[0] == 10.0
    assert steps(tables["RGB"]).mode().iloc[0] == 0.5


def test_coverage_structure(tables: dict[str, pd.DataFrame]) -> None:
    def holes(frame: pd.DataFrame) -> set[tuple[str, str, str]]:
        return set(map(tuple, frame[["Exp", "Site", "Hole"]].drop_duplicates().to_numpy()))

    gra, ms, ngr, rgb = (holes(tables[t]) for t in ("GRA", "MS", "NGR", "RGB"))
    assert ms == gra
    assert ngr < gra  # one RGB-only hole has no NGR
    assert rgb < gra and rgb - ngr
    assert all(int(exp.rstrip("X")) >= 346 for exp, _, _ in rgb)  # camera era only
    assert any(int(exp.rstrip("X")) < 346 for exp, _, _ in gra)


def test_measurement_values_look_like_lily(tables: dict[str, pd.DataFrame]) -> None:
    gra = tables["GRA"]["Bulk density (GRA)"]
    assert 1.3 < gra.median() < 2.3
    ngr = tables["NGR"]["NGR total counts (cps)"]
    assert (ngr >= -3).mean() > 0.99
    assert (tables["NGR"]["Error (cps)"] > 0).all()
    rgb = tables["RGB"][["R", "G", "B"]]
    assert rgb.min().min() >= 0 and rgb.max().max() <= 255
    means = rgb.mean()
    assert means["R"] >= means["G"] > means["B"]
    assert tables["MS"]["Magnetic susceptibility (instr. units)"].min() < 0


def test_principals_come_from_the_lily_vocabulary(tables: dict[str, pd.DataFrame]) -> None:
    vocab = set(build_vocabulary(load_calibration()).names)
    for frame in tables.values():
        assert set(frame["Principal"]) <= vocab
    per_hole = tables["GRA"].groupby(["Exp", "Site", "Hole"])["Principal"].nunique()
    assert (per_hole >= 2).sum() >= len(per_hole) // 2


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path, tiny_dir: Path) -> None:
    again = tmp_path / "again"
    simulate_lily(again, scale="tiny", seed=42)
    for name in ("GRA_DataLITH.csv", "RGB_DataLITH.csv", "NGR_DataLITH.csv", "MS_DataLITH.csv"):
        assert filecmp.cmp(tiny_dir / name, again / name, shallow=False), name
    other = tmp_path / "other"
    simulate_lily(other, scale="tiny", seed=43)
    assert not filecmp.cmp(tiny_dir / "GRA_DataLITH.csv", other / "GRA_DataLITH.csv",
                           shallow=False)  # fmt: skip


def test_unknown_scale_names_the_config_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"simulate\.scale"):
        simulate_lily(tmp_path, scale="huge")
    assert not list(tmp_path.iterdir())


def test_gra_has_outliers_and_numbers_only(tables: dict[str, pd.DataFrame]) -> None:
    values = pd.to_numeric(tables["GRA"]["Bulk density (GRA)"], errors="raise")
    assert np.isfinite(values.dropna()).all()
    assert (values < 1.0).any()  # voids and under-filled liners


def test_stale_temporary_files_of_a_killed_run_are_removed(tmp_path: Path) -> None:
    from lithoflow.simulate.lily import FILE_NAMES, remove_stale_temporaries

    stale = [
        tmp_path / f".{FILE_NAMES['GRA']}.abc123.tmp",
        tmp_path / f".{FILE_NAMES['RGB']}.x.tmp",
    ]
    other = tmp_path / ".notes.txt.abc.tmp"  # not the simulator's: left alone
    for path in [*stale, other]:
        path.write_text("partial")
    assert sorted(remove_stale_temporaries(tmp_path)) == sorted(stale)
    assert not any(p.exists() for p in stale) and other.exists()


def test_background_writer_keeps_order_and_raises_write_errors(tmp_path) -> None:
    import io

    import pyarrow as pa

    from lithoflow.simulate.tables import BackgroundWriter, write_rows

    tables = [pa.table({"a": [i, i + 1], "b": [f"x{i}", "y"]}) for i in range(40)]
    direct, background = io.BytesIO(), io.BytesIO()
    for table in tables:
        write_rows(direct, table)
    with BackgroundWriter(max_pending=3) as writer:
        for table in tables:
            writer.submit(background, table)
    assert background.getvalue() == direct.getvalue()

    closed = io.BytesIO()
    closed.close()
    with pytest.raises(ValueError):
        with BackgroundWriter() as writer:
            writer.submit(closed, tables[0])
