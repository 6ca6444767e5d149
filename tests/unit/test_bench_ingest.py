"""bench/ingest_pandas.py (idiomatic pandas) gives exactly the rows of bench/ingest_reference.py
(the executable specification), on hand-made LILY tables with the awkward cases: label ties,
depths that round to -0.0, missing values, Exp "368X" next to integers."""

from __future__ import annotations

import pandas as pd
import pytest

from bench.ingest_pandas import idiomatic_bin_table, idiomatic_ingest
from bench.ingest_reference import reference_bin_table, reference_ingest
from lithoflow.ingest.config import IngestConfig
from tests.support.config import ingest_config
from tests.support.lily_tables import FILES, lily_config, small_lily_set, write_lily_csv

TIES = [
    ("363", "U1482", "A", -0.05, "sand", 1.5),  # rounds to -0.0: the bin of depth 0
    ("363", "U1482", "A", 0.02, "clay", 1.7),  # 1 sand, 1 clay: clay (alphabetically first)
    ("363", "U1482", "A", 0.21, "ooze", 1.1),
    ("363", "U1482", "A", 0.22, "chalk", 1.2),
    ("363", "U1482", "A", 0.23, "ooze", 1.3),
    ("363", "U1482", "A", 0.24, "chalk", 1.4),
    ("363", "U1482", "A", 0.19, "basalt", 1.5),  # 2 ooze, 2 chalk, 1 basalt: chalk
    ("363", "U1482", "A", 0.41, None, 1.5),  # no label: dropped
    ("368X", "U1503", "B", 0.41, "ooze", 2.0),
    ("368X", "U1503", "B", 0.39, "ooze", None),  # no value: dropped
    ("1", "U1", "A", 7.0, "clay", 1.0),
]


@pytest.fixture
def lily(tmp_path) -> tuple[IngestConfig, dict]:
    paths = small_lily_set(tmp_path)
    return ingest_config(lily_config(tmp_path)), paths


def test_every_table_bins_as_the_reference(lily):
    config, paths = lily
    for table in config.table_names:
        pd.testing.assert_frame_equal(
            idiomatic_bin_table(paths[table], config, table),
            reference_bin_table(paths[table], config, table),
        )


def test_ties_negative_zero_and_missing_values(lily, tmp_path):
    config, _ = lily
    (tmp_path / "ties").mkdir()
    path = write_lily_csv(tmp_path / "ties" / FILES["GRA"], "GRA", TIES)
    ours = idiomatic_bin_table(path, config, "GRA")
    pd.testing.assert_frame_equal(ours, reference_bin_table(path, config, "GRA"))
    labels = ours.set_index(["borehole_id", "depth_bin_m"])["label"]
    assert labels[("363-U1482-A", 0.0)] == "clay"
    assert labels[("363-U1482-A", 0.2)] == "chalk"
    assert len(ours) == 4


def test_merged_dataset_equals_the_reference(lily):
    config, paths = lily
    pd.testing.assert_frame_equal(idiomatic_ingest(paths, config), reference_ingest(paths, config))
