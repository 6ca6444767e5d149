# Rules: report. The investigation summary: every number of this run's results beside the
# investigation's published figures (packaged in lithoflow/data/investigation_reference.json),
# with the list of where each printed number comes from. `snakemake --report` collects the
# figures and tables that the other rule files mark with report().

# The realism check of the simulated data exists only when the data are simulated.
SUMMARY_REALISM = ["results/simulation/realism.json"] if SOURCE == "simulate" else []
# The data-driven hierarchy's summary, when one is built (section "Expert vs data-driven groups").
SUMMARY_DATA_DRIVEN = (
    ["results/hierarchy/data_driven_summary.json"] if SETTINGS.data_driven else []
)
# The config sections the summary states (a change to them rewrites it); `report` names the
# classifier runs it compares and the investigation's run each run repeats. The simulator's
# settings only when the data are simulated (otherwise the summary does not use them).
if SETTINGS.report:

    SUMMARY_CONFIG = {
        key: config[key]
        for key in (
            "data",
            "simulate",
            "splits",
            "vae",
            "classifiers",
            "validation",
            "report",
        )
        if key != "simulate" or SOURCE == "simulate"
    }
    # The figures the summary links to (title: path), as the figure rules write them. They are not
    # inputs: the summary only links them, so redrawing a figure does not rewrite it.
    DISTRIBUTION_FIGURE = str(rules.distribution_figure.output.figure)
    SUMMARY_FIGURES = {
        "class distribution of the lithologies": DISTRIBUTION_FIGURE.format(
            level="lithology"
        ),
        "class distribution of the groups": DISTRIBUTION_FIGURE.format(level="group"),
        "split mismatch of every method": str(
            rules.split_mismatch_figure.output.figure
        ),
        "dendrogram of the lithology centroids": str(
            rules.hierarchy_dendrogram.output.figure
        ),
        "VAE reconstruction validation": str(rules.reconstruction_figure.output.figure),
    }
    if SOURCE == "simulate":
        SUMMARY_FIGURES["realism of the simulated data"] = str(
            rules.plot_simulation_realism.output[0]
        )

    rule investigation_summary:
        input:
            reference=str(LIB_DIR / "data" / "investigation_reference.json"),
            ingest="results/data/ingest_report.json",
            realism=SUMMARY_REALISM,
            lithology_distribution="results/analysis/lithology_distribution.json",
            group_distribution="results/analysis/group_distribution.json",
            mismatch="results/analysis/split_mismatch.json",
            hierarchy="results/validation/hierarchy_ari.json",
            data_driven=SUMMARY_DATA_DRIVEN,
            split_reports=expand(
                "results/splits/{method}/split_report.json", method=SPLIT_METHODS
            ),
            classifier_metrics=expand(
                "results/models/classifiers/{run}/metrics.json", run=CLASSIFIER_RUNS
            ),
            classifier_configs=expand(
                "results/models/classifiers/{run}/config.json", run=CLASSIFIER_RUNS
            ),
            vae_configs=expand("results/models/vae/{vae}/config.json", vae=VAE_MODELS),
            vae_histories=expand("results/models/vae/{vae}/history.csv", vae=VAE_MODELS),
            reconstruction=expand(
                "results/validation/reconstruction_{scope}.json",
                scope=RECONSTRUCTION_SCOPES,
            ),
            vae_comparison="results/validation/vae_comparison.csv",
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
            config=SUMMARY_CONFIG,
            figures=SUMMARY_FIGURES,
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


rule leaderboard:
    input:
        metrics=expand(
            "results/models/classifiers/{run}/metrics.json", run=CLASSIFIER_RUNS
        ),
        code=script_code("leaderboard.py"),
    output:
        table=report(
            "results/report/leaderboard.csv",
            caption="../report/leaderboard.rst",
            category="Leaderboard",
        ),
        figure=report(
            "results/report/leaderboard.png",
            caption="../report/leaderboard_figure.rst",
            category="Leaderboard",
        ),
    log:
        "logs/leaderboard/leaderboard.log",
    benchmark:
        "benchmarks/leaderboard/leaderboard.tsv"
    conda:
        "../../envs/torch.yaml"
    params:
        runs=CLASSIFIER_RUNS,
        figures=config["figures"],
    script:
        "../scripts/leaderboard.py"
