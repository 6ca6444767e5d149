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

from lithoflow.classifiers.kinds import KINDS
from lithoflow.classifiers.spec import (
    CONTEXT_OPTION_PREFIX,
    embedding_run_for,
    run_settings,
)
from lithoflow.core.codedeps import library_modules
from lithoflow.core.config import coerce_command_line
from lithoflow.core.errors import LithoflowError
from lithoflow.ingest.las import file_stem, las_files
from lithoflow.predict.table import table_boreholes
from lithoflow.settings import Settings, validate
from lithoflow.splits.methods import SplitConfig

CONFIG_SCHEMA = Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"


def stop_on_user_error(build):
    """Run `build` (what the DAG needs from the config and the input folders); a lithoflow error
    (a problem in the config or the inputs, the user's to fix) prints its message alone, naming
    every key or file, and stops without a traceback. Other errors keep theirs."""
    try:
        return build()
    except LithoflowError as error:
        logger.error(f"lithoflow: {error}")
        sys.exit(1)


# Nested keys are overridden as `--config 'simulate={seed: 7}'`; Snakemake passes the values
# inside as text, so those the schema wants as numbers or booleans are converted first.
for converted in coerce_command_line(
    config, workflow.config_settings.config, CONFIG_SCHEMA
):
    logger.info(f"--config {converted}")
# The one validation: every schema violation and every cross-key problem listed by key, in one
# message; the schema's defaults filled in (lithoflow.settings, lithoflow.core.config).
for warning in stop_on_user_error(lambda: validate(config, CONFIG_SCHEMA)):
    logger.warning(f"Warning: {warning}")
# The config as typed settings: what exists and which optional parts of the workflow are on.
SETTINGS = stop_on_user_error(lambda: Settings.from_config(config))

SOURCE = SETTINGS.source
TABLES = list(SETTINGS.tables)
# The las source: every LAS file of data.las.path, found once when the DAG is built.
LAS_FILES = stop_on_user_error(
    lambda: las_files(config["data"]["las"]["path"]) if SOURCE == "las" else []
)
SPLIT_METHODS = list(SETTINGS.split_methods)
SPLIT_PARTS = ["train", "val", "test"]
VAE_MODELS = list(SETTINGS.vaes)
CLASSIFIER_RUNS = list(SETTINGS.classifiers)
CONTEXT_SETS = list(SETTINGS.context_sets)
CONTEXT_SOURCES = SETTINGS.context_sources
RECONSTRUCTION_SCOPES = list(SETTINGS.reconstruction_scopes)
HIERARCHY_MAPPING = "results/hierarchy/lithology_hierarchy_mapping.csv"


def one_of(names):
    """A wildcard pattern matching exactly these names (nothing when there are none)."""
    return "|".join(re.escape(n) for n in names) if names else "(?!)"


wildcard_constraints:
    table="|".join(TABLES),
    method="|".join(SPLIT_METHODS),
    part="|".join(SPLIT_PARTS),
    vae=one_of(VAE_MODELS),
    run="|".join(CLASSIFIER_RUNS),
    scope=one_of(RECONSTRUCTION_SCOPES),
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
    """Every output of the configured workflow: the optional parts (hierarchy, VAEs, their
    validation, anomaly detection, the investigation summary) only when their section is set.
    """
    targets = [
        "results/data/features.parquet",
        "results/data/ingest_report.json",
        "results/analysis/lithology_distribution.csv",
        "results/analysis/lithology_distribution.json",
        "results/analysis/lithology_distribution.png",
        "results/analysis/split_mismatch.csv",
        "results/analysis/split_mismatch.json",
        "results/analysis/split_mismatch.png",
        "results/report/leaderboard.csv",
        "results/report/leaderboard.png",
    ]
    targets += expand("results/splits/{method}/split_report.json", method=SPLIT_METHODS)
    for method in SPLIT_METHODS:
        targets += split_files(method)
    if SETTINGS.hierarchy:
        targets += [
            HIERARCHY_MAPPING,
            "results/analysis/group_distribution.csv",
            "results/analysis/group_distribution.json",
            "results/analysis/group_distribution.png",
        ]
    for name in VAE_MODELS:
        targets += [f"{vae_dir(name)}/model.pt", f"{vae_dir(name)}/embeddings.parquet"]
    for run in CLASSIFIER_RUNS:
        targets += [f"{classifier_dir(run)}/metrics.json"]
    for run in searched_runs():
        targets += [
            f"{classifier_dir(run)}/search.csv",
            f"{classifier_dir(run)}/search.png",
        ]
    if SOURCE == "simulate":
        targets += [
            "results/simulation/realism.json",
            "results/simulation/realism.png",
        ]
    if SETTINGS.data_driven:
        targets += [
            "results/hierarchy/data_driven_mapping.csv",
            "results/hierarchy/data_driven_summary.json",
        ]
    if SETTINGS.validation:
        targets += [
            "results/validation/hierarchy_ari.json",
            "results/validation/group_coherence.csv",
            "results/figures/hierarchy_dendrogram.png",
            "results/figures/vae_reconstruction_validation.png",
            "results/validation/vae_comparison.csv",
            "results/figures/vae_comparison.png",
        ]
        targets += expand(
            "results/validation/reconstruction_{scope}.json",
            scope=RECONSTRUCTION_SCOPES,
        )
        if SOURCE == "simulate":
            targets.append("results/simulation/model_realism.json")
    if SETTINGS.anomalies:
        targets += [
            "results/validation/anomalies.csv",
            "results/validation/anomalies.json",
            "results/figures/anomaly_logs.png",
        ]
        if SOURCE == "simulate":
            targets += [
                "results/simulation/anomaly_truth.csv",
                "results/validation/anomaly_recall.json",
            ]
    if SETTINGS.report:
        targets.append("results/report/investigation_summary.md")
    return targets


def hierarchy_input(wildcards=None):
    """The expert hierarchy mapping, for steps that report groups when there is one."""
    return {"hierarchy": HIERARCHY_MAPPING} if SETTINGS.hierarchy else {}


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
            "label_case",
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
    """Longest jobs first (the kind's estimate): the order only, never the outputs."""
    return SETTINGS.vaes[wildcards.vae].priority


def vae_split_parts(wildcards):
    """The three parts of the split this VAE is trained on, by part name."""
    method = SETTINGS.vaes[wildcards.vae].split
    return {part: f"results/splits/{method}/{part}.parquet" for part in SPLIT_PARTS}


def vae_aux_inputs(wildcards):
    """The hierarchy mapping, for a semi-supervised VAE whose head predicts the group."""
    if SETTINGS.vaes[wildcards.vae].aux_target == "group":
        return {"hierarchy": HIERARCHY_MAPPING}
    return {}


# --- classify rules ------------------------------------------------------------


def classifier_spec_of(run):
    """A run's settings merged over the defaults."""
    return run_settings(config["classifiers"], run)


def classifier_spec(wildcards):
    """The run's settings merged over the defaults: changing them reruns this run only."""
    return classifier_spec_of(wildcards.run)


def classifier_job_priority(wildcards):
    """Longest jobs first (the kind's estimate per fit): the order only, never the outputs."""
    return SETTINGS.classifiers[wildcards.run].priority


def classifier_scaling(wildcards):
    """The scaling settings, for raw-feature runs only (embedding runs use μ as it is)."""
    return (
        config["scaling"] if SETTINGS.classifiers[wildcards.run].input == "raw" else {}
    )


def classifier_inputs(wildcards):
    """Split parts of the run's method (or the whole dataset for group K-fold), plus embeddings,
    depth context, hierarchy (expert, or data-driven for data_group) and penalty matrix where
    the run uses them."""
    spec = SETTINGS.classifiers[wildcards.run]
    if spec.uses_split:
        inputs = {
            part: f"results/splits/{spec.split}/{part}.parquet" for part in SPLIT_PARTS
        }
    else:
        inputs = {"features": "results/data/features.parquet"}
    if spec.input == "embedding":
        inputs["embeddings"] = f"{vae_dir(spec.vae)}/embeddings.parquet"
    if spec.context_source is not None:
        inputs["context"] = (
            f"results/data/context/{spec.context_source}/{spec.context}.parquet"
        )
    source = spec.vae if spec.input == "embedding" else "raw"
    for name in searched_contexts(spec):
        inputs[CONTEXT_OPTION_PREFIX + name] = (
            f"results/data/context/{source}/{name}.parquet"
        )
    if spec.target == "group":
        inputs["hierarchy"] = HIERARCHY_MAPPING
    if spec.target == "data_group":  # the data-driven mapping, only for such runs
        inputs["hierarchy"] = "results/hierarchy/data_driven_mapping.csv"
    if spec.penalty_matrix:
        inputs["penalty_matrix"] = spec.penalty_matrix
    return inputs


def ensemble_member_files(name):
    """An input function: file `name` of each member of the ensemble run."""

    def files(wildcards):
        members = SETTINGS.classifiers[wildcards.run].ensemble["members"]
        return [f"{classifier_dir(member)}/{name}" for member in members]

    return files


def ensemble_penalty(wildcards):
    spec = SETTINGS.classifiers[wildcards.run]
    return [spec.penalty_matrix] if spec.penalty_matrix else []


def searched_contexts(spec):
    """The depth context sets a run's search chooses among (none without a search)."""
    if not spec.search:
        return []
    choices = spec.search["space"].get("context") or []
    return [c for c in choices if c not in (None, "none")]


def searched_runs():
    """The runs whose settings a search chooses."""
    return [name for name, spec in SETTINGS.classifiers.items() if spec.search]


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
        "probabilities": f"{folder}/probabilities.parquet",
        "units": directory(f"{folder}/units"),
        "pipeline": f"{folder}/pipeline.json",
        "boreholes": f"{folder}/boreholes.csv",
        "history": f"{folder}/history.csv",
        "provenance": f"{folder}/provenance.json",
    }


def context_source(wildcards):
    """The table a depth context is computed on: the dataset, or a VAE's embeddings."""
    if wildcards.source == "raw":
        return "results/data/features.parquet"
    return f"{vae_dir(wildcards.source)}/embeddings.parquet"


def context_extra(wildcards):
    """The log's unlabelled bins, for the depth context of the raw features."""
    if wildcards.source == "raw":
        return {"unlabelled": "results/data/unlabelled.parquet"}
    return {}


def context_settings(wildcards):
    """One context set's settings: changing it recomputes that context only."""
    return config["context"]["sets"][wildcards.context]


# --- predict rules -------------------------------------------------------------


def predict_input_files(predict):
    """Borehole -> its input: the LAS files of predict.data.las.path (borehole: the file name
    without .las/.las.gz), or each borehole's rows of the predict table (split by one job).
    """
    if predict.source == "table":
        return {
            borehole: f"results/predict/input/{borehole}.parquet"
            for borehole in table_boreholes(predict.data["table"])
        }
    files = las_files(predict.data["las"]["path"], "predict.data.las.path")
    stems = [file_stem(path) for path in files]
    duplicated = sorted({s for s in stems if stems.count(s) > 1})
    if duplicated:
        raise ValueError(
            f"config key predict.data.las.path: two files are named {duplicated[0]!r} "
            "(.las and .las.gz?); keep one"
        )
    return dict(zip(stems, files))


def predict_model_files(predict, spec):
    """The files of the model a prediction applies: the final model's, or the evaluated units."""
    folder = classifier_dir(predict.run)
    if predict.model == "final":
        return [
            f"{folder}/final/{spec.kind.weights_file}",
            f"{folder}/final/config.json",
            f"{folder}/final/pipeline.json",
        ]
    return [f"{folder}/units", f"{folder}/metrics.json"]


def predict_card_path(ext):
    """The model card next to the applied model."""
    folder = classifier_dir(SETTINGS.predict.run)
    if SETTINGS.predict.model == "final":
        return f"{folder}/final/model_card.{ext}"
    return f"{folder}/model_card.{ext}"
