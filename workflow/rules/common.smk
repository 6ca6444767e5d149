# Config validation, path helpers and input functions shared by every rule file.

import os
import sys
from pathlib import Path

from snakemake.utils import validate

validate(config, schema="../schemas/config.schema.yaml")

SRC_DIR = Path(workflow.basedir) / "src"
LIB_DIR = SRC_DIR / "lithoflow"

# Rule scripts import the lithoflow package from this checkout (also inside cluster jobs, which
# re-read this file), so the code that runs is always the code that Snakemake tracks.
# (Setting the variable here is deliberate: it is an output of the workflow, not a user input.)
os.environ.update(
    PYTHONPATH=os.pathsep.join(p for p in (str(SRC_DIR), os.environ.get("PYTHONPATH")) if p)
)
sys.path.insert(0, str(SRC_DIR))

from lithoflow.config import check_config

check_config(config)

SOURCE = config["data"]["source"]
TABLES = ["table"] if SOURCE == "table" else list(config["ingest"]["tables"])
SPLIT_METHODS = list(config["splits"]["methods"])
SPLIT_PARTS = ["train", "val", "test"]
VAE_MODELS = list(config["vae"]["models"])
CLASSIFIER_RUNS = list(config["classifiers"]["runs"])
RECONSTRUCTION_SCOPES = list(config["validation"]["reconstruction_scopes"])


wildcard_constraints:
    table="|".join(TABLES),
    method="|".join(SPLIT_METHODS),
    part="|".join(SPLIT_PARTS),
    vae="|".join(VAE_MODELS),
    run="|".join(CLASSIFIER_RUNS),
    scope="|".join(RECONSTRUCTION_SCOPES),


def lib(*modules):
    """Library modules a rule's script calls, as inputs, so editing them reruns the rule."""
    paths = [LIB_DIR / m for m in ("__init__.py", "errors.py", "io.py", "logs.py", *modules)]
    return sorted({str(p) for p in paths})


def raw_table_path(table):
    """The raw file behind a table name (simulated, real LILY, or the tidy table)."""
    if SOURCE == "table":
        return config["data"]["table"]["path"]
    file_name = config["ingest"]["tables"][table]["file"]
    if SOURCE == "simulate":
        return f"results/raw/{file_name}"
    return str(Path(config["data"]["lily_dir"]) / file_name)


def split_files(method):
    return expand("results/splits/{method}/{part}.parquet", method=method, part=SPLIT_PARTS)


def vae_dir(name):
    return f"results/models/vae/{name}"


def classifier_dir(run):
    return f"results/models/classifiers/{run}"


def all_targets():
    targets = [
        "results/data/features.parquet",
        "results/data/ingest_report.json",
        "results/hierarchy/lithology_hierarchy_mapping.csv",
        "results/analysis/lithology_distribution.csv",
        "results/analysis/lithology_distribution.json",
        "results/analysis/lithology_distribution.png",
        "results/analysis/group_distribution.csv",
        "results/analysis/group_distribution.json",
        "results/analysis/group_distribution.png",
        "results/analysis/split_mismatch.csv",
        "results/analysis/split_mismatch.json",
        "results/analysis/split_mismatch.png",
        "results/validation/hierarchy_ari.json",
        "results/validation/group_coherence.csv",
        "results/figures/hierarchy_dendrogram.png",
        "results/figures/vae_reconstruction_validation.png",
        "results/report/investigation_summary.md",
    ]
    targets += expand("results/splits/{method}/split_report.json", method=SPLIT_METHODS)
    for method in SPLIT_METHODS:
        targets += split_files(method)
    for name in VAE_MODELS:
        targets += [f"{vae_dir(name)}/model.pt", f"{vae_dir(name)}/embeddings.parquet"]
    for run in CLASSIFIER_RUNS:
        targets += [f"{classifier_dir(run)}/metrics.json"]
    targets += expand("results/validation/reconstruction_{scope}.json", scope=RECONSTRUCTION_SCOPES)
    if SOURCE == "simulate":
        targets += ["results/simulation/realism.json", "results/simulation/realism.png"]
    return targets
