# Rules: validate. Hierarchy validation (ARI, coherence, dendrogram) and VAE reconstruction
# validation (metrics per scope in scaled and physical units, per-row errors, figure).
# docs/investigation.md §8-9 and §11 (A.2, A.6, A.9).

if SETTINGS.validation:

    VALIDATION_VAE = config["validation"]["vae"]
    VALIDATION_VAE_DIR = vae_dir(VALIDATION_VAE)
    # The figure shows the honest, out-of-sample scope when it is configured.
    FIGURE_SCOPE = (
        "test" if "test" in RECONSTRUCTION_SCOPES else RECONSTRUCTION_SCOPES[0]
    )
    # The classifier run scoring each VAE's embedding (validation.vae_comparison), None if none.
    VAE_COMPARISON = config["validation"]["vae_comparison"]
    VAE_CLASSIFIER_RUNS = {
        vae: embedding_run_for(
            vae,
            {run: classifier_spec_of(run) for run in CLASSIFIER_RUNS},
            VAE_COMPARISON["classifier_target"],
        )
        for vae in VAE_MODELS
    }
    SCORED_RUNS = [run for run in VAE_CLASSIFIER_RUNS.values() if run is not None]
    RECONSTRUCTION_SETTINGS = {
        key: config["validation"][key]
        for key in (
            "active_latent_std",
            "reconstruction_bands",
            "reconstruction_scopes",
        )
    }

    rule validate_hierarchy:
        input:
            embeddings=f"{VALIDATION_VAE_DIR}/embeddings.parquet",
            hierarchy="results/hierarchy/lithology_hierarchy_mapping.csv",
            code=script_code("validate_hierarchy.py"),
        output:
            summary="results/validation/hierarchy_ari.json",
            coherence=report(
                "results/validation/group_coherence.csv",
                caption="../report/group_coherence.rst",
                category="Hierarchy validation",
            ),
            centroids="results/validation/lithology_centroids.csv",
        log:
            "logs/validate_hierarchy/validate_hierarchy.log",
        benchmark:
            "benchmarks/validate_hierarchy/validate_hierarchy.tsv"
        conda:
            "../../envs/core.yaml"
        params:
            vae=VALIDATION_VAE,
            coherence_bands=config["validation"]["coherence_bands"],
        script:
            "../scripts/validate_hierarchy.py"

    rule hierarchy_dendrogram:
        input:
            summary="results/validation/hierarchy_ari.json",
            code=script_code("hierarchy_dendrogram.py"),
        output:
            figure=report(
                "results/figures/hierarchy_dendrogram.png",
                caption="../report/hierarchy_dendrogram.rst",
                category="Hierarchy validation",
            ),
        log:
            "logs/hierarchy_dendrogram/hierarchy_dendrogram.log",
        benchmark:
            "benchmarks/hierarchy_dendrogram/hierarchy_dendrogram.tsv"
        conda:
            "../../envs/core.yaml"
        params:
            figures=config["figures"],
        script:
            "../scripts/hierarchy_dendrogram.py"

    rule validate_reconstruction:
        input:
            model=f"{VALIDATION_VAE_DIR}/model.pt",
            model_config=f"{VALIDATION_VAE_DIR}/config.json",
            scaler=f"{VALIDATION_VAE_DIR}/scaler.json",
            model_features=f"{VALIDATION_VAE_DIR}/features.json",
            embeddings=f"{VALIDATION_VAE_DIR}/embeddings.parquet",
            features="results/data/features.parquet",
            hierarchy="results/hierarchy/lithology_hierarchy_mapping.csv",
            code=script_code("validate_reconstruction.py"),
        output:
            reports=expand(
                "results/validation/reconstruction_{scope}.json",
                scope=RECONSTRUCTION_SCOPES,
            ),
            errors="results/validation/reconstruction_errors.parquet",
        log:
            "logs/validate_reconstruction/validate_reconstruction.log",
        benchmark:
            "benchmarks/validate_reconstruction/validate_reconstruction.tsv"
        conda:
            "../../envs/torch.yaml"
        threads: 1
        params:
            vae=VALIDATION_VAE,
            validation=RECONSTRUCTION_SETTINGS,
        script:
            "../scripts/validate_reconstruction.py"

    rule reconstruction_figure:
        input:
            report=f"results/validation/reconstruction_{FIGURE_SCOPE}.json",
            errors="results/validation/reconstruction_errors.parquet",
            code=script_code("reconstruction_figure.py"),
        output:
            figure=report(
                "results/figures/vae_reconstruction_validation.png",
                caption="../report/vae_reconstruction_validation.rst",
                category="Reconstruction validation",
            ),
        log:
            "logs/reconstruction_figure/reconstruction_figure.log",
        benchmark:
            "benchmarks/reconstruction_figure/reconstruction_figure.tsv"
        conda:
            "../../envs/core.yaml"
        params:
            scope=FIGURE_SCOPE,
            figures=config["figures"],
        script:
            "../scripts/reconstruction_figure.py"

    if SETTINGS.anomalies:

        rule anomalies:
            input:
                errors="results/validation/reconstruction_errors.parquet",
                code=script_code("anomalies.py"),
            output:
                intervals=report(
                    "results/validation/anomalies.csv",
                    caption="../report/anomalies.rst",
                    category="Anomaly intervals",
                ),
                summary=report(
                    "results/validation/anomalies.json",
                    caption="../report/anomalies_summary.rst",
                    category="Anomaly intervals",
                ),
            log:
                "logs/anomalies/anomalies.log",
            benchmark:
                "benchmarks/anomalies/anomalies.tsv"
            conda:
                "../../envs/core.yaml"
            params:
                anomalies=config["validation"]["anomalies"],
                bin_size_m=config["ingest"]["bin_size_m"],
            script:
                "../scripts/anomalies.py"

        rule anomaly_figure:
            input:
                errors="results/validation/reconstruction_errors.parquet",
                intervals="results/validation/anomalies.csv",
                summary="results/validation/anomalies.json",
                code=script_code("anomaly_figure.py"),
            output:
                figure=report(
                    "results/figures/anomaly_logs.png",
                    caption="../report/anomaly_logs.rst",
                    category="Anomaly intervals",
                ),
            log:
                "logs/anomaly_figure/anomaly_figure.log",
            benchmark:
                "benchmarks/anomaly_figure/anomaly_figure.tsv"
            conda:
                "../../envs/core.yaml"
            params:
                figures=config["figures"],
            script:
                "../scripts/anomaly_figure.py"

        if SOURCE == "simulate":

            rule anomaly_recall:
                input:
                    intervals="results/validation/anomalies.csv",
                    truth="results/simulation/anomaly_truth.csv",
                    errors="results/validation/reconstruction_errors.parquet",
                    code=script_code("anomaly_recall.py"),
                output:
                    summary=report(
                        "results/validation/anomaly_recall.json",
                        caption="../report/anomaly_recall.rst",
                        category="Anomaly intervals",
                    ),
                log:
                    "logs/anomaly_recall/anomaly_recall.log",
                benchmark:
                    "benchmarks/anomaly_recall/anomaly_recall.tsv"
                conda:
                    "../../envs/core.yaml"
                params:
                    bin_size_m=config["ingest"]["bin_size_m"],
                script:
                    "../scripts/anomaly_recall.py"

    rule vae_comparison:
        input:
            models=expand("results/models/vae/{vae}/model.pt", vae=VAE_MODELS),
            configs=expand("results/models/vae/{vae}/config.json", vae=VAE_MODELS),
            embeddings=expand(
                "results/models/vae/{vae}/embeddings.parquet", vae=VAE_MODELS
            ),
            features="results/data/features.parquet",
            hierarchy="results/hierarchy/lithology_hierarchy_mapping.csv",
            metrics=expand(
                "results/models/classifiers/{run}/metrics.json", run=SCORED_RUNS
            ),
            code=script_code("vae_comparison.py"),
        output:
            table=report(
                "results/validation/vae_comparison.csv",
                caption="../report/vae_comparison.rst",
                category="VAE comparison",
            ),
        log:
            "logs/vae_comparison/vae_comparison.log",
        benchmark:
            "benchmarks/vae_comparison/vae_comparison.tsv"
        conda:
            "../../envs/torch.yaml"
        threads: 1
        params:
            vaes=VAE_MODELS,
            classifier_runs=VAE_CLASSIFIER_RUNS,
            scored_runs=SCORED_RUNS,
            validation={
                key: config["validation"][key]
                for key in ("active_latent_std", "coherence_bands", "vae_comparison")
            },
        script:
            "../scripts/vae_comparison.py"

    rule vae_comparison_figure:
        input:
            table="results/validation/vae_comparison.csv",
            code=script_code("vae_comparison_figure.py"),
        output:
            figure=report(
                "results/figures/vae_comparison.png",
                caption="../report/vae_comparison_figure.rst",
                category="VAE comparison",
            ),
        log:
            "logs/vae_comparison_figure/vae_comparison_figure.log",
        benchmark:
            "benchmarks/vae_comparison_figure/vae_comparison_figure.tsv"
        conda:
            "../../envs/core.yaml"
        params:
            figures=config["figures"],
        script:
            "../scripts/vae_comparison_figure.py"
