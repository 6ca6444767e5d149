# Rules: report. The investigation summary: every number of this run's results beside the
# investigation's published figures (packaged in lithoflow/data/investigation_reference.json),
# with a list of where each printed number comes from. `snakemake --report` collects the figures
# and tables that the other rule files mark with report().


def summary_inputs(wildcards):
    """Every result the summary quotes, by name; lists follow the config's order."""
    inputs = {
        "reference": str(LIB_DIR / "data" / "investigation_reference.json"),
        "ingest": "results/data/ingest_report.json",
        "lithology_distribution": "results/analysis/lithology_distribution.json",
        "group_distribution": "results/analysis/group_distribution.json",
        "mismatch": "results/analysis/split_mismatch.json",
        "hierarchy": "results/validation/hierarchy_ari.json",
        "split_reports": expand(
            "results/splits/{method}/split_report.json", method=SPLIT_METHODS
        ),
        "classifier_metrics": [
            f"{classifier_dir(run)}/metrics.json" for run in CLASSIFIER_RUNS
        ],
        "classifier_configs": [
            f"{classifier_dir(run)}/config.json" for run in CLASSIFIER_RUNS
        ],
        "vae_configs": [f"{vae_dir(name)}/config.json" for name in VAE_MODELS],
        "vae_histories": [f"{vae_dir(name)}/history.csv" for name in VAE_MODELS],
        "reconstruction": expand(
            "results/validation/reconstruction_{scope}.json",
            scope=RECONSTRUCTION_SCOPES,
        ),
    }
    if SOURCE == "simulate":
        inputs["realism"] = "results/simulation/realism.json"
    return inputs


def summary_config():
    """The config sections the summary states (a change to them rewrites it)."""
    sections = ("data", "simulate", "splits", "vae", "classifiers", "validation")
    return {key: config[key] for key in sections}


rule investigation_summary:
    input:
        unpack(summary_inputs),
        code=script_code("investigation_summary.py"),
    output:
        summary=report(
            "results/report/investigation_summary.md",
            caption="../report/investigation_summary.rst",
            category="Summary",
        ),
        numbers="results/report/investigation_summary_numbers.json",
    log:
        "logs/investigation_summary/investigation_summary.log",
    benchmark:
        "benchmarks/investigation_summary/investigation_summary.tsv"
    conda:
        "../../envs/core.yaml"
    params:
        config=summary_config(),
        names={
            "split_reports": SPLIT_METHODS,
            "classifier_metrics": CLASSIFIER_RUNS,
            "classifier_configs": CLASSIFIER_RUNS,
            "vae_configs": VAE_MODELS,
            "vae_histories": VAE_MODELS,
            "reconstruction": RECONSTRUCTION_SCOPES,
        },
    script:
        "../scripts/investigation_summary.py"
