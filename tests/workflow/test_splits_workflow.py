"""Rule-level test of the hierarchy, split and analysis rules on a hand-made features.parquet.

Ingestion and simulation are left out on purpose: the test writes `results/data/features.parquet`
itself and runs snakemake with `--allowed-rules` naming only the rules under test. Snakemake then
has no rule that produces features.parquet, so it treats the file as a source and never tries to
simulate or ingest, whatever the raw inputs are. Dry runs after a config edit show which rules a
change reruns: a hierarchy edit must not rerun the splits (nor anything trained on them).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from lithoflow.core.dataset import read_dataset
from lithoflow.core.io import read_json
from tests.support.boreholes import expand_counts, synthetic_counts, write_synthetic_dataset
from tests.workflow.helpers import deep_update, run_snakemake, tiny_config, write_config

pytestmark = pytest.mark.workflow

RULES = (
    "lithology_hierarchy",
    "split_boreholes",
    "split_report",
    "lithology_distribution",
    "group_distribution",
    "distribution_figure",
    "split_mismatch",
    "split_mismatch_figure",
)
METHODS = ("random", "size_balanced", "entropy_balanced", "explicit")
PARTS = ("train", "val", "test")
TARGETS = (
    "results/hierarchy/lithology_hierarchy_mapping.csv",
    *(
        f"results/analysis/{name}_distribution.{ext}"
        for name in ("lithology", "group")
        for ext in ("csv", "json", "png")
    ),
    "results/analysis/split_mismatch.csv",
    "results/analysis/split_mismatch.json",
    "results/analysis/split_mismatch.png",
    *(f"results/splits/{m}/split_report.json" for m in METHODS),
)
# --allowed-rules takes several values, so --workflow-profile ends the list before the targets.
ARGS = ("--allowed-rules", *RULES, "--workflow-profile", "none")


def _planned_jobs(stdout: str) -> dict[str, int]:
    """Rule -> job count from the "Job stats" table of a dry run ({} if nothing to do)."""
    if "Job stats:" not in stdout:
        return {}
    table = stdout.split("Job stats:", 1)[1].split("total", 1)[0]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)\s*$", table, re.M)}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("splits_workflow")
    labels = expand_counts(synthetic_counts(n_boreholes=60, mean_rows=120, seed=5))
    labels["label"] = labels["label"].map(
        lambda s: {
            "common_00": "nannofossil ooze",
            "common_01": "clay",
            "rare_00": "dolostone",
        }.get(s, s)
    )
    write_synthetic_dataset(workdir / "results" / "data" / "features.parquet", labels)
    # The split rule reads the ingest report only to say why a named borehole is missing.
    (workdir / "results" / "data" / "ingest_report.json").write_text('{"boreholes_dropped": []}')
    boreholes = sorted(labels["borehole_id"].unique())
    config = tiny_config(
        {
            "splits": {
                "methods": list(METHODS),
                "explicit": {"test": boreholes[:6], "val": boreholes[6:12]},
            }
        }
    )
    run_snakemake(workdir, config, TARGETS, extra_args=ARGS)
    return workdir


def test_outputs_follow_the_contract(workdir):
    features = read_dataset(workdir / "results/data/features.parquet")
    for method in METHODS:
        parts = {p: read_dataset(workdir / f"results/splits/{method}/{p}.parquet") for p in PARTS}
        assert sum(len(d.frame) for d in parts.values()) == len(features.frame)
        boreholes = [set(d.frame["borehole_id"]) for d in parts.values()]
        assert not (boreholes[0] & boreholes[1] or boreholes[0] & boreholes[2])
        assert not boreholes[1] & boreholes[2]
        assert set().union(*boreholes) == set(features.frame["borehole_id"])
        for part, dataset in parts.items():
            assert dataset.features == features.features
            assert dataset.metadata["split"]["method"] == method
            assert dataset.metadata["split"]["part"] == part
            assert dataset.metadata["source"] == "test"  # the dataset's metadata is kept
        report = read_json(workdir / f"results/splits/{method}/split_report.json")
        assert report["total_rows"] == len(features.frame)
        assert sum(report["parts"][p]["rows"] for p in PARTS) == len(features.frame)
        for part in PARTS:
            assert report["parts"][part]["boreholes"] == sorted(
                parts[part].frame["borehole_id"].unique()
            )
        assert set(report["classes"]["jsd_bits_from_whole"]) == set(PARTS)
        assert report["groups"]["n_total"] <= report["classes"]["n_total"]
    explicit = read_json(workdir / "results/splits/explicit/split_report.json")
    boreholes = sorted(features.frame["borehole_id"].unique())
    assert explicit["parts"]["test"]["boreholes"] == boreholes[:6]
    assert explicit["parameters"]["val_boreholes"] == boreholes[6:12]

    mapping = pd.read_csv(workdir / "results/hierarchy/lithology_hierarchy_mapping.csv")
    assert list(mapping.columns) == [
        "Principal_Lithology",
        "Lithology_Group",
        "Count",
        "Percentage",
    ]
    groups = dict(zip(mapping["Principal_Lithology"], mapping["Lithology_Group"], strict=True))
    assert groups["nannofossil ooze"] == "Carbonate" and groups["dolostone"] == "Evaporite"
    assert groups["common_02"] == "Unclassified"
    assert mapping["Count"].sum() == len(features.frame)

    lithology = read_json(workdir / "results/analysis/lithology_distribution.json")
    assert lithology["total_rows"] == len(features.frame)
    assert lithology["n_classes"] == features.frame["label"].nunique()
    assert read_json(workdir / "results/analysis/group_distribution.json")["level"] == "group"
    mismatch = read_json(workdir / "results/analysis/split_mismatch.json")
    assert set(mismatch["methods"]) == set(METHODS)
    assert [row["method"] for row in mismatch["comparison"]] == list(METHODS)  # config order
    table = pd.read_csv(workdir / "results/analysis/split_mismatch.csv")
    assert set(table["method"]) == set(METHODS)
    for name in ("lithology_distribution", "group_distribution", "split_mismatch"):
        assert (workdir / f"results/analysis/{name}.png").stat().st_size > 1000


def test_hierarchy_edit_reruns_reports_but_not_splits(workdir):
    config = tiny_config({"splits": read_config_splits(workdir)})
    config["hierarchy"]["groups"][-1]["keywords"] = ["gypsum", "anhydrite"]  # drop dolostone
    write_config(workdir, config)
    result = run_snakemake(workdir, None, TARGETS, extra_args=[*ARGS, "--dry-run"])
    jobs = _planned_jobs(result.stdout)
    assert jobs.get("lithology_hierarchy") == 1
    assert jobs.get("split_report") == len(METHODS)
    assert "group_distribution" in jobs and "split_mismatch" in jobs
    assert "split_boreholes" not in jobs
    assert "lithology_distribution" not in jobs


def test_seed_edit_reruns_only_seeded_splits(workdir):
    splits = deep_update(read_config_splits(workdir), {"seed": 7})
    write_config(workdir, tiny_config({"splits": splits}))
    result = run_snakemake(workdir, None, TARGETS, extra_args=[*ARGS, "--dry-run"])
    jobs = _planned_jobs(result.stdout)
    assert jobs.get("split_boreholes") == 3  # random, size_balanced, entropy_balanced; not explicit
    assert "lithology_hierarchy" not in jobs


def read_config_splits(workdir) -> dict:
    """The splits section of the config the fixture ran with."""
    import yaml

    return yaml.safe_load((workdir / "config.yaml").read_text())["splits"]
