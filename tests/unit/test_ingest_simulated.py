"""The fast ingestion equals the pandas reference on simulated LILY tables (tiny scale)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench.ingest_reference import reference_bin_table, reference_merge
from lithoflow.ingest.config import IngestConfig
from lithoflow.ingest.merge import merge_tables
from lithoflow.ingest.tables import bin_table
from lithoflow.simulate.lily import simulate_lily
from tests.support.config import ingest_config, load_default_config


def _assert_same_rows(ours: pd.DataFrame, ref: pd.DataFrame, features: tuple[str, ...]) -> None:
    """Keys, labels and counts exactly; means to 1e-12 (pandas sums with Kahan compensation).

    Means that cancel to ~0 are compared at the scale of the column's largest value.
    """
    assert list(ours.columns) == list(ref.columns)
    assert len(ours) == len(ref)
    for column in ours.columns:
        if column in features:
            atol = 1e-12 * float(ref[column].abs().max())
            np.testing.assert_allclose(ours[column], ref[column], rtol=1e-12, atol=atol)
        else:
            assert ours[column].equals(ref[column]), column


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[IngestConfig, dict[str, Path]]:
    out_dir = tmp_path_factory.mktemp("lily")
    simulate_lily(out_dir, scale="tiny", seed=0)
    config = ingest_config({"data": {"source": "lily"}, "ingest": load_default_config()["ingest"]})
    return config, {spec.name: out_dir / spec.file for spec in config.tables}


def test_each_binned_table_equals_the_reference(
    simulated: tuple[IngestConfig, dict[str, Path]],
) -> None:
    config, paths = simulated
    for spec in config.tables:
        binned = bin_table(paths[spec.name], config, spec.name)
        ref = reference_bin_table(paths[spec.name], config, spec.name)
        _assert_same_rows(binned.frame, ref, spec.feature_names)
        assert binned.frame[spec.count_column].sum() == binned.report["rows_binned"]
        assert (
            binned.report["rows_binned"] + binned.report["rows_dropped"]
            == (binned.report["rows_read"])
        )


def test_merged_dataset_equals_the_reference(
    simulated: tuple[IngestConfig, dict[str, Path]],
) -> None:
    config, paths = simulated
    binned = [bin_table(paths[name], config, name) for name in config.table_names]
    merged = merge_tables(binned, config)
    ref_binned = {
        name: reference_bin_table(paths[name], config, name) for name in config.table_names
    }
    ref = reference_merge(ref_binned, config)
    _assert_same_rows(merged.frame, ref, config.features)
    assert len(merged.frame) > 0
    removed = sum(step["removed"] for step in merged.report["steps"] if "bin " not in step["step"])
    assert merged.report["final"]["rows"] == len(binned[0].frame) - removed
