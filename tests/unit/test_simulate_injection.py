"""Injected anomalies at tiny scale: the truth file, changed rows inside, identical rows outside."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lithoflow.core.errors import ConfigError
from lithoflow.simulate.injection import KINDS, TRUTH_COLUMNS, InjectionConfig
from lithoflow.simulate.lily import simulate_lily
from tests.support.config import injection_config

COUNT = 12
MEASURED = {
    "GRA": ["Bulk density (GRA)"],
    "MS": ["Magnetic susceptibility (instr. units)"],
    "NGR": ["NGR total counts (cps)", "Error (cps)"],
    "RGB": ["R", "G", "B"],
}
CONFIG = injection_config(count=COUNT, min_length_m=0.5, max_length_m=1.5)


def _read(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}_DataLITH.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, pd.DataFrame]:
    """(uninjected folder, injected folder, truth table), tiny scale, seed 42."""
    root = tmp_path_factory.mktemp("injection")
    simulate_lily(root / "plain", scale="tiny", seed=42)
    truth_path = root / "truth.csv"
    simulate_lily(root / "injected", scale="tiny", seed=42, injection=CONFIG, truth_path=truth_path)
    return root / "plain", root / "injected", pd.read_csv(truth_path)


def test_truth_lists_the_configured_count_of_each_kind(runs) -> None:
    _, _, truth = runs
    assert list(truth.columns) == list(TRUTH_COLUMNS)
    assert len(truth) == COUNT
    assert truth["interval"].tolist() == list(range(1, COUNT + 1))
    assert truth["kind"].value_counts().to_dict() == {kind: COUNT // 2 for kind in KINDS}
    assert (truth["bottom_m"] > truth["top_m"]).all()
    assert truth["length_m"].between(0.5, 1.5).all()
    faults = truth[truth["kind"] == "instrument_fault"]
    assert set(faults["tables"]) <= {"GRA", "MS", "NGR", "RGB"}
    assert (truth.loc[truth["kind"] == "foreign_lithology", "tables"] == "GRA;MS;NGR;RGB").all()


@pytest.mark.parametrize("table", list(MEASURED))
def test_rows_differ_inside_the_intervals_and_nowhere_else(runs, table: str) -> None:
    plain_dir, injected_dir, truth = runs
    plain, injected = _read(plain_dir, table), _read(injected_dir, table)
    assert plain.shape == injected.shape
    borehole = plain["Exp"] + "-" + plain["Site"] + "-" + plain["Hole"]
    depth = plain["Depth CSF-A (m)"].astype(float)
    changed = (plain != injected).any(axis=1).to_numpy()
    inside = np.zeros(len(plain), dtype=bool)
    for row in truth.itertuples():
        if table in row.tables.split(";"):
            hit = (borehole == row.borehole_id) & (depth >= row.top_m) & (depth < row.bottom_m)
            hit = hit.to_numpy()
            assert hit.any(), f"interval {row.interval} has no {table} rows"
            # Rows inside carry the anomaly; only a void in the liner reads as a void whatever
            # bed is there (GRA near zero), so a few foreign-lithology GRA rows may stay.
            assert changed[hit].mean() > 0.5, f"interval {row.interval}"
            inside |= hit
    assert changed[inside].mean() > 0.9
    assert not (changed & ~inside).any()  # rows outside are identical
    # Only the measured columns change; labels and everything else stay as described.
    rest = [c for c in plain.columns if c not in MEASURED[table]]
    assert plain[rest].equals(injected[rest])


def test_injection_is_deterministic_for_the_seed(runs, tmp_path: Path) -> None:
    _, injected_dir, truth = runs
    again = tmp_path / "truth.csv"
    simulate_lily(tmp_path / "again", scale="tiny", seed=42, injection=CONFIG, truth_path=again)
    assert pd.read_csv(again).equals(truth)
    assert _read(tmp_path / "again", "MS").equals(_read(injected_dir, "MS"))


def test_count_zero_writes_an_empty_truth_file(tmp_path: Path) -> None:
    truth = tmp_path / "truth.csv"
    simulate_lily(
        tmp_path / "raw", scale="tiny", seed=1, injection=InjectionConfig.none(), truth_path=truth
    )
    frame = pd.read_csv(truth)
    assert frame.empty and list(frame.columns) == list(TRUTH_COLUMNS)


def test_bad_settings_name_the_config_key() -> None:
    with pytest.raises(ConfigError, match=r"simulate\.anomalies"):
        InjectionConfig(count=3, min_length_m=2.0, max_length_m=1.0, kinds=KINDS)
    with pytest.raises(ConfigError, match=r"simulate\.anomalies"):
        InjectionConfig(count=3, min_length_m=0.6, max_length_m=2.0, kinds=("meteorite",))
