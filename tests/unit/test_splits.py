"""Borehole splits: invariants of every method, the investigation's methods reproduced, the
lithology-aware method's guarantees, and the split report."""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from lithoflow.core.errors import ConfigError, InputDataError
from lithoflow.splits.information import entropy_bits
from lithoflow.splits.methods import (
    PARTS,
    SplitConfig,
    allocate_by_deficit,
    assign_boreholes,
    borehole_class_counts,
    dropped_boreholes,
    entropy_balanced_assignment,
    explicit_split,
    random_split,
    size_balanced_order,
    size_balanced_split,
    split_frame,
    split_metadata,
)
from lithoflow.splits.statistics import split_report, split_statistics
from tests.support.boreholes import expand_counts, labels_frame, synthetic_counts

FRACTIONS = (0.70, 0.15, 0.15)
TOLERANCE = 0.005  # config.yaml's splits.entropy_balanced.fraction_tolerance


def split_config(method: str, seed: int) -> SplitConfig:
    """A split config with the default fractions and tolerance."""
    return SplitConfig(method=method, fractions=FRACTIONS, seed=seed, fraction_tolerance=TOLERANCE)


SEEDS = (42, 43, 44, 45, 46)
SEEDED_METHODS = ("random", "size_balanced", "entropy_balanced")


@pytest.fixture(scope="module")
def synthetic() -> pd.DataFrame:
    """~40k rows, 120 boreholes, 68 classes; rare classes in one or two boreholes."""
    return expand_counts(synthetic_counts(seed=0))


@pytest.fixture(scope="module")
def assignments(synthetic) -> dict[tuple[str, int], pd.Series]:
    return {
        (method, seed): assign_boreholes(synthetic, split_config(method, seed))
        for method in SEEDED_METHODS
        for seed in SEEDS
    }


def _row_shares(frame: pd.DataFrame, assignment: pd.Series) -> np.ndarray:
    parts = split_frame(frame, assignment)
    return np.array([len(parts[p]) for p in PARTS]) / len(frame)


# --- invariants of every method ---------------------------------------------------------------


@pytest.mark.parametrize("method", SEEDED_METHODS)
def test_whole_boreholes_disjoint_and_covering(synthetic, assignments, method):
    assignment = assignments[(method, 42)]
    boreholes = sorted(synthetic["borehole_id"].unique())
    assert assignment.index.tolist() == boreholes  # each borehole once: disjoint and covering
    assert set(assignment) == set(PARTS)
    parts = split_frame(synthetic, assignment)
    assert sum(len(p) for p in parts.values()) == len(synthetic)
    seen: dict[str, str] = {}
    for part, frame in parts.items():
        for borehole in frame["borehole_id"].unique():
            assert seen.setdefault(borehole, part) == part  # a borehole is never cut
        assert (frame["borehole_id"].map(assignment) == part).all()


@pytest.mark.parametrize("method", SEEDED_METHODS)
def test_same_seed_same_split_other_seed_other_split(synthetic, assignments, method):
    again = assign_boreholes(synthetic, split_config(method, 42))
    pd.testing.assert_series_equal(again, assignments[(method, 42)])
    assert not assignments[(method, 42)].equals(assignments[(method, 43)])


def test_row_fractions_within_tolerance(synthetic, assignments):
    for seed in SEEDS:
        size_shares = _row_shares(synthetic, assignments[("size_balanced", seed)])
        np.testing.assert_allclose(size_shares, FRACTIONS, atol=0.03)
        # entropy_balanced guarantees its tolerance where the borehole sizes allow it.
        balanced_shares = _row_shares(synthetic, assignments[("entropy_balanced", seed)])
        assert np.abs(balanced_shares - FRACTIONS).max() <= 0.005 + 1e-9


def test_random_split_borehole_counts_match_the_investigation():
    boreholes = [f"B{i:03d}" for i in range(296)]
    parts = random_split(boreholes[::-1], FRACTIONS, seed=42)  # the order given does not matter
    assert [len(parts[p]) for p in PARTS] == [206, 45, 45]
    # Same boreholes as the investigation's literal 0.85 and 0.8235 (docs/investigation.md §4a).
    rest, test = train_test_split(boreholes, train_size=0.85, random_state=42)
    train, val = train_test_split(rest, train_size=0.8235, random_state=42)
    assert parts == {"train": train, "val": val, "test": test}


def test_random_split_too_few_boreholes_is_an_input_error():
    with pytest.raises(InputDataError, match="cannot split 2 boreholes"):
        random_split(["a", "b"], FRACTIONS, seed=0)


# --- size_balanced: the investigation's greedy allocation -------------------------------------


def test_allocate_by_deficit_hand_worked():
    # b1 first -> train. b2: deficits train 0.70-1 = -0.30, val 0.15, test 0.15 -> tie, val wins.
    # b3 (150 rows so far): train 0.70-100/150 = 0.033, val 0.15-50/150 = -0.183, test 0.15 -> test.
    # b4 (180 rows): train 0.70-100/180 = 0.144, val -0.128, test 0.15-30/180 = -0.017 -> train.
    sizes = {"b1": 100, "b2": 50, "b3": 30, "b4": 20}
    parts = allocate_by_deficit(["b1", "b2", "b3", "b4"], sizes, FRACTIONS)
    assert parts == {"train": ["b1", "b4"], "val": ["b2"], "test": ["b3"]}


def test_allocate_by_deficit_ties_go_to_train_first():
    # Fractions 0.5/0.25/0.25; after x (train, 10) and y (val, 10) and z (test, 20) the shares are
    # 0.25/0.25/0.5: deficits 0.25, 0, -0.25 -> train. With w -> train (30 of 50 rows) and
    # v (10 rows): deficits -0.1, 0.05, -0.15 -> val.
    sizes = {"x": 10, "y": 10, "z": 20, "w": 20, "v": 10}
    parts = allocate_by_deficit(["x", "y", "z", "w", "v"], sizes, (0.5, 0.25, 0.25))
    assert parts == {"train": ["x", "w"], "val": ["y", "v"], "test": ["z"]}
    # Fractions 0.4/0.4/0.2, one row each: p -> train; q: deficits -0.6, 0.4, 0.2 -> val;
    # r: -0.1, -0.1, 0.2 -> test; s: 0.4 - 1/3 for train and val (an exact tie), -0.133 -> train.
    parts = allocate_by_deficit(["p", "q", "r", "s"], dict.fromkeys("pqrs", 1), (0.4, 0.4, 0.2))
    assert parts == {"train": ["p", "s"], "val": ["q"], "test": ["r"]}


def test_size_balanced_order_is_stable_sort_then_legacy_shuffle():
    boreholes = ["a", "b", "c", "d", "e"]
    sizes = [5, 7, 5, 7, 1]
    expected = ["b", "d", "a", "c", "e"]  # descending, ties keep their order
    np.random.RandomState(42).shuffle(expected)
    assert size_balanced_order(boreholes, sizes, 42) == expected
    # The investigation called the global np.random.seed + np.random.shuffle: the same stream.
    legacy = ["b", "d", "a", "c", "e"]
    state = np.random.get_state()  # noqa: NPY002
    try:
        np.random.seed(42)  # noqa: NPY002
        np.random.shuffle(legacy)  # noqa: NPY002
    finally:
        np.random.set_state(state)  # noqa: NPY002
    assert legacy == expected


def test_size_balanced_split_is_order_then_allocation():
    boreholes = [f"h{i}" for i in range(12)]
    sizes = [50, 400, 120, 90, 700, 30, 260, 75, 310, 45, 150, 600]
    order = size_balanced_order(boreholes, sizes, 7)
    expected = allocate_by_deficit(order, dict(zip(boreholes, sizes, strict=True)), FRACTIONS)
    assert size_balanced_split(boreholes, sizes, FRACTIONS, 7) == expected


def test_size_balanced_ignores_lithology(synthetic):
    relabelled = synthetic.assign(label="same")
    a = assign_boreholes(synthetic, split_config("size_balanced", 42))
    b = assign_boreholes(relabelled, split_config("size_balanced", 42))
    pd.testing.assert_series_equal(a, b)


# --- entropy_balanced -------------------------------------------------------------------------


def _class_stats(frame: pd.DataFrame, assignment: pd.Series) -> dict:
    parts = split_frame(frame, assignment)
    return split_statistics({p: parts[p]["label"] for p in PARTS})["classes"]


def test_entropy_balanced_beats_both_investigation_methods_for_every_seed(synthetic, assignments):
    for seed in SEEDS:
        ours = _class_stats(synthetic, assignments[("entropy_balanced", seed)])
        assert ours["n_missing_from_train"] == {"val": 0, "test": 0}
        for method in ("random", "size_balanced"):
            theirs = _class_stats(synthetic, assignments[(method, seed)])
            assert theirs["n_missing_from_train"]["test"] > 0
            for part in ("val", "test"):
                assert ours["jsd_bits_from_whole"][part] < theirs["jsd_bits_from_whole"][part]
            assert max(ours["jsd_bits_from_whole"].values()) < min(
                theirs["jsd_bits_from_whole"][p] for p in ("val", "test")
            )


def test_entropy_balanced_group_divergence_is_bounded_by_class_divergence(synthetic, assignments):
    labels = sorted(synthetic["label"].unique())
    label_to_group = {label: f"group_{i % 5}" for i, label in enumerate(labels)}
    parts = split_frame(synthetic, assignments[("entropy_balanced", 42)])
    stats = split_statistics({p: parts[p]["label"] for p in PARTS}, label_to_group)
    for part in PARTS:
        groups = stats["groups"]["jsd_bits_from_whole"][part]
        assert groups <= stats["classes"]["jsd_bits_from_whole"][part] + 1e-12


def test_entropy_balanced_anchors_single_borehole_classes_in_train():
    # Rare class "r" lives in one small borehole only; it must land in train.
    rows = [(f"h{i:02d}", "clay" if i % 2 else "ooze", 100) for i in range(20)]
    rows += [("h07", "r", 3), ("h11", "s", 2), ("h12", "s", 2)]
    frame = labels_frame(rows)
    assignment = assign_boreholes(frame, split_config("entropy_balanced", 1))
    assert assignment["h07"] == "train"
    assert "train" in {assignment["h11"], assignment["h12"]}
    counts = borehole_class_counts(frame).to_numpy()
    parts = entropy_balanced_assignment(counts, FRACTIONS, seed=1, fraction_tolerance=TOLERANCE)
    np.testing.assert_array_equal(parts, assignment.map({"train": 0, "val": 1, "test": 2}))


def test_entropy_balanced_rejects_empty_input():
    with pytest.raises(InputDataError):
        entropy_balanced_assignment(
            np.zeros((0, 3)), FRACTIONS, seed=0, fraction_tolerance=TOLERANCE
        )


# --- explicit ---------------------------------------------------------------------------------


def test_explicit_split_lists_and_rest_is_train(caplog):
    boreholes = ["a", "b", "c", "d", "e"]
    parts = explicit_split(boreholes, test=["d", "b"], val=["e"])
    assert parts == {"train": ["a", "c"], "val": ["e"], "test": ["b", "d"]}
    with caplog.at_level(logging.WARNING, logger="lithoflow.splits.methods"):
        parts = explicit_split(boreholes, test=["a"])
    assert parts["val"] == [] and parts["train"] == ["b", "c", "d", "e"]
    assert "val part is empty" in caplog.text


def test_explicit_split_unknown_boreholes_listed():
    unknown = [f"X{i:02d}" for i in range(12)]
    with pytest.raises(ConfigError) as error:
        explicit_split(["a", "b"], test=["a", *unknown[:6]], val=unknown[6:])
    assert all(b in str(error.value) for b in unknown)
    with pytest.raises(ConfigError, match="both test and val"):
        explicit_split(["a", "b", "c"], test=["a"], val=["a"])


# --- config -----------------------------------------------------------------------------------


def test_split_config_from_config_and_parameters(repo_root):
    import yaml

    section = yaml.safe_load((repo_root / "config.yaml").read_text())["splits"]
    section = {**section, "explicit": {"test": ["t1"], "val": ["v1"]}}
    config = SplitConfig.from_config(section, "entropy_balanced")
    assert config.fractions == FRACTIONS and config.seed == 42
    assert config.parameters() == {
        "method": "entropy_balanced",
        "fractions": {"train": 0.7, "val": 0.15, "test": 0.15},
        "seed": 42,
        "fraction_tolerance": config.fraction_tolerance,
    }
    assert set(SplitConfig.from_config(section, "random").parameters()) == {
        "method",
        "fractions",
        "seed",
    }
    explicit = SplitConfig.from_config(section, "explicit")
    assert explicit.parameters() == {
        "method": "explicit",
        "test_boreholes": ["t1"],
        "val_boreholes": ["v1"],
    }
    for method in ("random", "size_balanced", "entropy_balanced", "explicit"):
        original = SplitConfig.from_config(section, method)
        assert SplitConfig.from_parameters(original.parameters()).parameters() == (
            original.parameters()
        )
    assert split_metadata(explicit, "test")["seed"] is None
    assert split_metadata(config, "val") == {
        "method": "entropy_balanced",
        "part": "val",
        "seed": 42,
        "parameters": config.parameters(),
    }


def test_split_config_rejects_bad_values():
    with pytest.raises(ConfigError, match="unknown method"):
        SplitConfig(method="stratified")
    with pytest.raises(ConfigError, match="must be 1"):
        SplitConfig(method="random", fractions=(0.7, 0.2, 0.2), seed=1)


# --- the split report -------------------------------------------------------------------------


def test_split_report_content_on_a_small_dataset():
    rows = [
        ("h1", "clay", 6),
        ("h1", "ooze", 2),
        ("h2", "clay", 2),
        ("h2", "ooze", 2),
        ("h3", "ooze", 3),
        ("h3", "gabbro", 1),
        ("h4", "basalt", 2),
        ("h4", "clay", 2),
    ]
    frame = labels_frame(rows)
    config = SplitConfig(method="explicit", explicit_test=("h3",), explicit_val=("h4",))
    parts = split_frame(frame, assign_boreholes(frame, config))
    groups = {"clay": "Clay/Mud", "ooze": "Other", "gabbro": "Mafic", "basalt": "Mafic"}
    report = split_report(parts, config.parameters(), groups)

    assert report["method"] == "explicit"
    assert report["parameters"]["test_boreholes"] == ["h3"]
    assert report["total_rows"] == 20
    assert report["parts"]["train"] == {
        "n_boreholes": 2,
        "boreholes": ["h1", "h2"],
        "rows": 12,
        "row_fraction": pytest.approx(0.6),
    }
    assert report["parts"]["test"]["rows"] == 4
    classes = report["classes"]
    # train: clay 8, ooze 4 -> H = H(2/3, 1/3); test: ooze 3, gabbro 1 -> H(3/4, 1/4)
    assert classes["entropy_bits"]["train"] == pytest.approx(entropy_bits([2, 1]))
    assert classes["entropy_bits"]["test"] == pytest.approx(entropy_bits([3, 1]))
    assert classes["entropy_bits"]["whole"] == pytest.approx(entropy_bits([10, 7, 1, 2]))
    assert classes["missing_from_train"] == {"val": {"basalt": 2}, "test": {"gabbro": 1}}
    assert classes["n_missing_from_train"] == {"val": 1, "test": 1}
    assert classes["present"] == {"train": 2, "val": 2, "test": 2}
    groups_stats = report["groups"]
    assert groups_stats["missing_from_train"] == {"val": {"Mafic": 2}, "test": {"Mafic": 1}}
    # Test over groups: Other 3, Mafic 1; whole: Clay/Mud 10, Other 7, Mafic 3.
    p = np.array([10, 7, 3]) / 20
    q = np.array([0, 3, 1]) / 4
    m = (p + q) / 2
    kl = lambda a, b: float(sum(x * math.log2(x / y) for x, y in zip(a, b, strict=True) if x))  # noqa: E731
    expected = 0.5 * kl(p, m) + 0.5 * kl(q, m)
    assert groups_stats["jsd_bits_from_whole"]["test"] == pytest.approx(expected, abs=1e-12)
    with pytest.raises(InputDataError, match="missing from the hierarchy"):
        split_report(parts, config.parameters(), {"clay": "Clay/Mud"})


def test_explicit_split_unknown_borehole_names_the_key_and_close_matches():
    boreholes = ["363-U1482-A", "363-U1482-B", "368X-U1503-A"]
    with pytest.raises(ConfigError) as error:
        explicit_split(boreholes, test=["363-U1428-A"], val=["nothing-like-it"])
    message = str(error.value)
    assert "config key splits.explicit.test: '363-U1428-A'" in message
    assert "closest: '363-U1482-A'" in message
    assert "config key splits.explicit.val: 'nothing-like-it'" in message
    assert "no close match" in message


def test_explicit_split_of_a_borehole_ingestion_dropped_says_where_and_why():
    report = {
        "boreholes_dropped": [
            {"borehole_id": "W-9", "step": "bin las", "reason": "no data rows (header only)"},
        ]
    }
    with pytest.raises(ConfigError) as caught:
        explicit_split(["W-1", "W-2"], test=["W-9"], dropped=dropped_boreholes(report))
    message = str(caught.value)
    assert (
        "config key splits.explicit.test: 'W-9' is not in the dataset: ingestion dropped it "
        "at step 'bin las': no data rows (header only)"
    ) in message
