"""The simulator's world plan: real hole list, class budgets, concentration, split failure."""

from __future__ import annotations

import filecmp
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from lithoflow.simulate.calibration import CALIBRATION_FILES, load_calibration
from lithoflow.simulate.plan import World, build_world

COPIED = (
    "lithology_class_distribution.csv",
    "lithology_hierarchy_mapping.csv",
    "borehole_total_depths.csv",
    "borehole_coverage_summary.csv",
    "derived_lily_paper_table3_MAD_by_principal.csv",
    "L_principal_stats.csv",
    "derived_rsc_full_lithology_L_means.csv",
)
REPO = Path(__file__).resolve().parents[2]
PACKAGE_DATA = REPO / "src" / "lithoflow" / "data"


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(load_calibration(), seed=42)


def _six(world: World) -> tuple[pd.DataFrame, np.ndarray]:
    cat = world.catalogue
    six = cat.index[cat["is_six"]].to_numpy()
    return cat.loc[six], world.budgets[six]


def test_catalogue_is_the_real_hole_list(world: World) -> None:
    cat = world.catalogue
    assert len(cat) == 534
    assert cat["is_six"].sum() == 296
    assert cat["has_rgb"].sum() == 304
    assert cat["has_ngr"].sum() == 524
    assert "360-U1473-A" in set(cat["borehole_id"])
    assert (cat.groupby(["exp", "site", "hole"]).size() == 1).all()


def test_six_feature_budgets_match_real_class_totals(world: World) -> None:
    holes, budgets = _six(world)
    vocab = world.vocab
    np.testing.assert_array_equal(
        budgets[:, : vocab.n_six].sum(axis=0), vocab.real_bins[: vocab.n_six]
    )
    assert budgets[:, vocab.n_six :].sum() == 0
    deviation = np.abs(budgets.sum(axis=1) - holes["six_bins"].to_numpy())
    assert deviation.max() <= 0.05 * holes["six_bins"].max()


def test_rare_lithologies_are_concentrated(world: World) -> None:
    holes, budgets = _six(world)
    names = np.array(world.vocab.names)
    gabbro = budgets[:, world.vocab.index("gabbro")]
    assert gabbro[holes["borehole_id"].to_numpy() == "360-U1473-A"][0] >= 0.95 * gabbro.sum()
    dominant = pd.Series(names[budgets.argmax(axis=1)]).value_counts()
    assert 35 <= len(dominant) <= 65  # real: 50 distinct dominant lithologies
    assert 3 <= (dominant >= 10).sum() <= 10  # real: 6 dominant in >= 10 holes
    per_hole = (budgets > 0).sum(axis=1)
    assert 3 <= np.median(per_hole) <= 10


def test_naive_random_split_reproduces_the_mismatch(world: World) -> None:
    holes, budgets = _six(world)
    ids = holes["borehole_id"].tolist()
    rest, test = train_test_split(sorted(ids), train_size=0.85, random_state=42)
    train, _ = train_test_split(rest, train_size=0.8235, random_state=42)
    in_test = np.isin(ids, test)
    in_train = np.isin(ids, train)
    test_bins = budgets[in_test].sum(axis=0)
    train_bins = budgets[in_train].sum(axis=0)
    gabbro = world.vocab.index("gabbro")
    assert test_bins[gabbro] == 2520 and train_bins[gabbro] <= 2
    missing_in_train = (test_bins > 0) & (train_bins == 0)
    assert missing_in_train.sum() >= 5


def test_runs_cover_each_hole_in_order(world: World) -> None:
    for plan in world.holes[:60]:
        assert np.all(np.diff(plan.run_bounds_mm) > 0)
        assert len(plan.run_class) == len(plan.run_bounds_mm) + 1
        assert len(plan.run_prefix) == len(plan.run_class)
        sections = plan.sections
        assert (np.diff(sections["c_top_mm"]) == sections["length_mm"].to_numpy()[:-1]).all()


def test_packaged_copies_match_the_reference(shared_reference: Path) -> None:
    for name in COPIED:
        assert filecmp.cmp(shared_reference / "data" / name, PACKAGE_DATA / name, shallow=False)


def test_provenance_names_every_calibration_file() -> None:
    provenance = (PACKAGE_DATA / "PROVENANCE.md").read_text()
    for name in CALIBRATION_FILES:
        assert (PACKAGE_DATA / name).is_file(), name
        assert name in provenance, name


def test_simulate_rule_tracks_every_calibration_file(built_workflow) -> None:
    calibration = built_workflow.rules["simulate_lily"].inputs["calibration"]
    assert sorted(calibration) == sorted(str(PACKAGE_DATA / name) for name in CALIBRATION_FILES)
