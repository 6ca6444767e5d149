# Config validation, path helpers and input functions shared by every rule file.

import os
import re
import sys
from pathlib import Path

from snakemake.logging import logger

SRC_DIR = Path(workflow.basedir) / "src"
LIB_DIR = SRC_DIR / "lithoflow"

# Rule scripts import the lithoflow package from this checkout (also inside cluster jobs, which
# re-read this file), so the code that runs is always the code that Snakemake tracks.
# (Setting the variable here is deliberate: it is an output of the workflow, not a user input.)
os.environ.update(
    PYTHONPATH=os.pathsep.join(
        p for p in (str(SRC_DIR), os.environ.get("PYTHONPATH")) if p
    )
)
sys.path.insert(0, str(SRC_DIR))

from lithoflow.core.codedeps import library_modules
from lithoflow.core.config import (
    embedding_run_for,
    merged_run_settings,
    validate_config,
)
from lithoflow.core.scheduling import classifier_priority, vae_priority
from lithoflow.ingest.las import las_files
from lithoflow.splits.methods import SplitConfig

CONFIG_SCHEMA = Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"
# The one validation: every schema violation listed by key, the schema's defaults filled in, then
# every cross-key problem listed (lithoflow.core.config).
for warning in validate_config(config, CONFIG_SCHEMA):
    logger.warning(f"Warning: {warning}")

SOURCE = config["data"]["source"]
TABLES = [SOURCE] if SOURCE in ("table", "las") else list(config["ingest"]["tables"])
# The las source: every LAS file of data.las.path, found once when the DAG is built.
LAS_FILES = las_files(config["data"]["las"]["path"]) if SOURCE == "las" else []
SPLIT_METHODS = list(config["splits"]["methods"])
SPLIT_PARTS = ["train", "val", "test"]
VAE_MODELS = list(config["vae"]["models"])
CLASSIFIER_RUNS = list(config["classifiers"]["runs"])
CLASSIFIER_MODELS = {
    run: merged_run_settings(config["classifiers"], run).get("model", "mlp")
    for run in CLASSIFIER_RUNS
}
MLP_RUNS = [run for run, model in CLASSIFIER_MODELS.items() if model == "mlp"]
BOOSTING_RUNS = [run for run, model in CLASSIFIER_MODELS.items() if model != "mlp"]
CONTEXT_SETS = list((config.get("context") or {}).get("sets") or {})
CONTEXT_SOURCES = ["raw", *VAE_MODELS]
RECONSTRUCTION_SCOPES = list(config["validation"]["reconstruction_scopes"])


def one_of(names):
    """A wildcard pattern matching exactly these names (nothing when there are none)."""
    return "|".join(re.escape(n) for n in names) if names else "(?!)"


wildcard_constraints:
    table="|".join(TABLES),
    method="|".join(SPLIT_METHODS),
    part="|".join(SPLIT_PARTS),
    vae="|".join(VAE_MODELS),
    run="|".join(CLASSIFIER_RUNS),
    scope="|".join(RECONSTRUCTION_SCOPES),
    source=one_of(CONTEXT_SOURCES),
    context=one_of(CONTEXT_SETS),


def script_code(script_name):
    """The library modules a rule script imports (transitively), as inputs of the rule, so that
    editing one reruns exactly the rules whose scripts use it."""
    script = Path(workflow.basedir) / "workflow" / "scripts" / script_name
    return [str(p) for p in library_modules(script, LIB_DIR)]


def raw_table_path(table):
    """The raw file behind a table name (simulated, real LILY, the tidy table, or LAS files)."""
    if SOURCE == "las":
        return LAS_FILES
    if SOURCE == "table":
        return config["data"]["table"]["path"]
    file_name = config["ingest"]["tables"][table]["file"]
    if SOURCE == "simulate":
        return f"results/raw/{file_name}"
    return str(Path(config["data"]["lily_dir"]) / file_name)


def split_files(method):
    return expand(
        "results/splits/{method}/{part}.parquet", method=method, part=SPLIT_PARTS
    )


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
        "results/report/leaderboard.csv",
        "results/report/leaderboard.png",
    ]
    targets += expand("results/splits/{method}/split_report.json", method=SPLIT_METHODS)
    for method in SPLIT_METHODS:
        targets += split_files(method)
    for name in VAE_MODELS:
        targets += [f"{vae_dir(name)}/model.pt", f"{vae_dir(name)}/embeddings.parquet"]
    for run in CLASSIFIER_RUNS:
        targets += [f"{classifier_dir(run)}/metrics.json"]
    targets += expand(
        "results/validation/reconstruction_{scope}.json", scope=RECONSTRUCTION_SCOPES
    )
    if SOURCE == "simulate":
        targets += [
            "results/simulation/realism.json",
            "results/simulation/realism.png",
            "results/simulation/model_realism.json",
            "results/simulation/anomaly_truth.csv",
            "results/validation/anomaly_recall.json",
        ]
    if config["hierarchy"]["data_driven"]["enabled"]:
        targets += [
            "results/hierarchy/data_driven_mapping.csv",
            "results/hierarchy/data_driven_summary.json",
        ]
    targets += [
        "results/validation/vae_comparison.csv",
        "results/figures/vae_comparison.png",
        "results/validation/anomalies.csv",
        "results/validation/anomalies.json",
        "results/figures/anomaly_logs.png",
    ]
    return targets


# --- ingest rules --------------------------------------------------------------


def bin_table_config(wildcards):
    """Only the config that binning this table uses, so other edits do not rerun it."""
    ingest = config["ingest"]
    data = {"source": SOURCE}
    settings = {
        key: ingest[key]
        for key in (
            "bin_size_m",
            "valid_ranges",
            "invalid_rows",
            "duplicate_rows",
            "missing_features",
        )
    }
    if SOURCE == "table":
        data["table"] = config["data"]["table"]
    elif SOURCE == "las":
        data["las"] = config["data"]["las"]
    else:
        settings["columns"] = ingest["columns"]
        settings["tables"] = {wildcards.table: ingest["tables"][wildcards.table]}
    return {"data": data, "ingest": settings}


def merge_tables_config():
    """The config the merge uses: table order and features, label table, filters."""
    ingest = config["ingest"]
    if SOURCE in ("table", "las"):
        return {
            "data": {"source": SOURCE, SOURCE: config["data"][SOURCE]},
            "ingest": {
                "bin_size_m": ingest["bin_size_m"],
                "filters": ingest["filters"],
                "missing_features": ingest["missing_features"],
            },
        }
    keys = (
        "bin_size_m",
        "label_table",
        "columns",
        "tables",
        "filters",
        "missing_features",
    )
    return {"data": {"source": SOURCE}, "ingest": {key: ingest[key] for key in keys}}


def raw_table_file(wildcards):
    """The raw file binned into this table."""
    return raw_table_path(wildcards.table)


def label_code_files(wildcards):
    """The las source's label code CSV, when one is configured (an input, so edits rerun)."""
    codes = (
        config["data"].get("las", {}).get("label_codes") if SOURCE == "las" else None
    )
    return [codes] if isinstance(codes, str) else []


def binned_table_files(ext):
    return expand("results/data/binned/{table}.{ext}", table=TABLES, ext=ext)


# --- splits rules --------------------------------------------------------------


def split_parameters(wildcards):
    """The settings this split method uses, and only those (a change to another reruns nothing)."""
    return SplitConfig.from_config(config["splits"], wildcards.method).parameters()


# --- vae rules -----------------------------------------------------------------


def vae_settings(wildcards):
    """This VAE's config entry: changing it reruns this VAE only."""
    return config["vae"]["models"][wildcards.vae]


def vae_job_priority(wildcards):
    """Longest jobs first (lithoflow.core.scheduling): the order only, never the outputs."""
    return vae_priority(vae_settings(wildcards))


def vae_split_parts(wildcards):
    """The three parts of the split this VAE is trained on, by part name."""
    method = config["vae"]["models"][wildcards.vae]["split"]
    return {part: f"results/splits/{method}/{part}.parquet" for part in SPLIT_PARTS}


def vae_aux_inputs(wildcards):
    """The hierarchy mapping, for a semi-supervised VAE whose head predicts the group."""
    if config["vae"]["models"][wildcards.vae].get("aux_target") == "group":
        return {"hierarchy": "results/hierarchy/lithology_hierarchy_mapping.csv"}
    return {}


# --- classify rules ------------------------------------------------------------


def classifier_spec(wildcards):
    """The run's spec merged over the defaults: changing it reruns this run only."""
    return merged_run_settings(config["classifiers"], wildcards.run)


def classifier_job_priority(wildcards):
    """Longest jobs first (lithoflow.core.scheduling): the order only, never the outputs."""
    return classifier_priority(classifier_spec(wildcards))


def classifier_scaling(wildcards):
    """The scaling settings, for raw-feature runs only (embedding runs use μ as it is)."""
    return config["scaling"] if classifier_spec(wildcards)["input"] == "raw" else {}


def classifier_inputs(wildcards):
    """Split parts of the run's method (or the whole dataset for group K-fold), plus embeddings,
    depth context, hierarchy (expert, or data-driven for data_group) and penalty matrix where
    the run uses them."""
    spec = classifier_spec(wildcards)
    if spec.get("evaluation", "split") == "group_kfold":
        inputs = {"features": "results/data/features.parquet"}
    else:
        inputs = {
            part: f"results/splits/{spec['split']}/{part}.parquet"
            for part in SPLIT_PARTS
        }
    if spec["input"] == "embedding":
        inputs["embeddings"] = f"{vae_dir(spec['vae'])}/embeddings.parquet"
    if spec.get("context"):
        source = spec["vae"] if spec["input"] == "embedding" else "raw"
        inputs["context"] = f"results/data/context/{source}/{spec['context']}.parquet"
    if spec["target"] == "group":
        inputs["hierarchy"] = "results/hierarchy/lithology_hierarchy_mapping.csv"
    if spec["target"] == "data_group":  # the data-driven mapping, only for such runs
        inputs["hierarchy"] = "results/hierarchy/data_driven_mapping.csv"
    if spec.get("penalty_matrix"):
        inputs["penalty_matrix"] = spec["penalty_matrix"]
    return inputs


def classifier_outputs(model_file):
    """The run folder's files; `model_file` is the model kind's."""
    folder = "results/models/classifiers/{run}"
    return {
        "model": f"{folder}/{model_file}",
        "config": f"{folder}/config.json",
        "scaler": f"{folder}/scaler.json",
        "metrics": report(
            f"{folder}/metrics.json",
            caption="../report/classifier_metrics.rst",
            category="Classifiers",
            labels={"run": "{run}", "content": "test metrics"},
        ),
        "confusion": report(
            f"{folder}/confusion.csv",
            caption="../report/classifier_confusion.rst",
            category="Classifiers",
            labels={"run": "{run}", "content": "confusion (test)"},
        ),
        "predictions": f"{folder}/predictions.parquet",
        "boreholes": f"{folder}/boreholes.csv",
        "history": f"{folder}/history.csv",
        "provenance": f"{folder}/provenance.json",
    }


def context_source(wildcards):
    """The table a depth context is computed on: the dataset, or a VAE's embeddings."""
    if wildcards.source == "raw":
        return "results/data/features.parquet"
    return f"{vae_dir(wildcards.source)}/embeddings.parquet"


def context_settings(wildcards):
    """One context set's settings: changing it recomputes that context only."""
    return config["context"]["sets"][wildcards.context]
