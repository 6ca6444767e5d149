"""The data-driven hierarchy and the anomaly intervals of the suite's completed tiny run, checked
against the dataset and the per-row errors they come from (recomputed here, not through the
library's own functions where a simple recomputation exists)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.workflow.runs import PNG_END, PNG_SIGNATURE

pytestmark = pytest.mark.workflow


def read_json(run: Path, relative: str):
    return json.loads((run / relative).read_text())


def test_data_driven_mapping_covers_every_label_in_the_expert_format(completed_run: Path):
    config = yaml.safe_load((completed_run / "config.yaml").read_text())
    section = config["hierarchy"]["data_driven"]
    features = pd.read_parquet(completed_run / "results/data/features.parquet")
    mapping = pd.read_csv(
        completed_run / "results/hierarchy/data_driven_mapping.csv", keep_default_na=False
    )
    expert = pd.read_csv(
        completed_run / "results/hierarchy/lithology_hierarchy_mapping.csv", keep_default_na=False
    )
    assert list(mapping.columns) == list(expert.columns)
    assert sorted(mapping["Principal_Lithology"]) == sorted(features["label"].unique())
    counts = features["label"].value_counts()
    assert dict(zip(mapping["Principal_Lithology"], mapping["Count"], strict=True)) == dict(counts)

    summary = read_json(completed_run, "results/hierarchy/data_driven_summary.json")
    silhouettes = summary["silhouette_by_k"]  # n_groups is null: k has the best silhouette
    assert section["n_groups"] is None
    assert silhouettes[str(summary["k"])] == max(silhouettes.values())
    clustered = {g for g in mapping["Lithology_Group"] if g.startswith("D")}
    assert len(clustered) == summary["k"]
    # Labels without a training row are exactly those absent from the split's train part.
    train = pd.read_parquet(completed_run / f"results/splits/{section['split']}/train.parquet")
    assert summary["unseen_labels"] == sorted(set(features["label"]) - set(train["label"]))
    agreement = summary["agreement_with_expert"]
    assert agreement["data_driven"]["n_groups"] == mapping["Lithology_Group"].nunique()
    assert agreement["expert"]["chance_level"] == pytest.approx(
        1 / expert["Lithology_Group"].nunique()
    )


def test_anomaly_intervals_follow_the_errors(completed_run: Path):
    config = yaml.safe_load((completed_run / "config.yaml").read_text())
    settings = config["validation"]["anomalies"]
    errors = pd.read_parquet(completed_run / "results/validation/reconstruction_errors.parquet")
    summary = read_json(completed_run, "results/validation/anomalies.json")
    intervals = pd.read_csv(completed_run / "results/validation/anomalies.csv")

    train = errors.loc[errors["split"] == "train", "recon_mae_scaled"]
    assert summary["threshold"] == pytest.approx(np.quantile(train, settings["quantile"]))
    flagged = errors["recon_mae_scaled"] > summary["threshold"]
    assert sum(part["flagged"] for part in summary["flagged_by_split"].values()) == flagged.sum()
    assert (
        intervals["n_flagged"].sum() + summary["dropped_below_min_rows"]["flagged_rows"]
        == flagged.sum()
    )
    half = config["ingest"]["bin_size_m"] / 2
    for interval in intervals.itertuples():
        rows = errors[
            (errors["borehole_id"] == interval.borehole_id)
            & (errors["depth_bin_m"] > interval.top_m)
            & (errors["depth_bin_m"] < interval.bottom_m)
        ]
        assert len(rows) == interval.n_rows
        assert (rows["recon_mae_scaled"] > summary["threshold"]).sum() == interval.n_flagged
        assert interval.n_flagged >= settings["min_rows"]
        assert rows["recon_mae_scaled"].mean() == pytest.approx(interval.mean_error)
        # The interval starts and ends on flagged bins.
        assert (
            rows.sort_values("depth_bin_m")["recon_mae_scaled"]
            .iloc[[0, -1]]
            .gt(summary["threshold"])
            .all()
        )
        assert interval.top_m == pytest.approx(rows["depth_bin_m"].min() - half)
    assert summary["top_boreholes"] == [
        b["borehole_id"] for b in summary["boreholes"][: settings["top_boreholes"]]
    ]
    png = (completed_run / "results/figures/anomaly_logs.png").read_bytes()
    assert png.startswith(PNG_SIGNATURE) and png.endswith(PNG_END)


def test_data_group_run_predicts_the_data_driven_groups(completed_run: Path):
    config = yaml.safe_load((completed_run / "config.yaml").read_text())
    expert_run, data_run = config["report"]["hierarchy_comparisons"][0]
    run_spec = config["classifiers"]["runs"][data_run]
    assert run_spec["target"] == "data_group"
    metrics = read_json(completed_run, f"results/models/classifiers/{data_run}/metrics.json")
    mapping = pd.read_csv(
        completed_run / "results/hierarchy/data_driven_mapping.csv", keep_default_na=False
    )
    group_of = dict(zip(mapping["Principal_Lithology"], mapping["Lithology_Group"], strict=True))
    summary = read_json(completed_run, "results/hierarchy/data_driven_summary.json")
    unseen = set(summary["unseen_labels"])
    parts = {
        part: pd.read_parquet(completed_run / f"results/splits/{run_spec['split']}/{part}.parquet")
        for part in ("train", "val", "test")
    }
    rows = pd.concat(parts.values())
    assert metrics["classes"] == sorted({group_of[label] for label in rows["label"]})
    unplaced = metrics["data_use"]["rows_without_data_group"]
    assert unplaced["labels"] == sorted(unseen & set(rows["label"]))
    assert unplaced["rows"] == int(rows["label"].isin(unseen).sum())
    assert metrics["rows"]["test"] == len(parts["test"])  # kept, as the unseen group
    # The same recipe on the expert groups, and both on the leaderboard under their own target.
    expert = read_json(completed_run, f"results/models/classifiers/{expert_run}/metrics.json")
    assert expert["spec"]["target"] == "group" and expert["model"] == metrics["model"]
    leaderboard = pd.read_csv(completed_run / "results/report/leaderboard.csv")
    targets = dict(zip(leaderboard["run"], leaderboard["target"], strict=True))
    assert targets[data_run] == "data_group" and targets[expert_run] == "group"

    markdown = (completed_run / "results/report/investigation_summary.md").read_text()
    section = markdown.split("\n## Expert vs data-driven groups\n", 1)[1].split("\n## ", 1)[0]
    assert f"| `{data_run}` | data-driven |" in section
    assert f"| `{expert_run}` | expert |" in section
    assert f"{metrics['balanced_accuracy'] * 100:.2f}%" in section
    assert f"{summary['agreement_with_expert']['ari_rows']:.4f} over rows" in section
