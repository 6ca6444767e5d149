# Rules: predict. Apply a trained classifier run to new boreholes (config section `predict`):
# one job per borehole (a LAS file of predict.data.las.path), so adding a well classifies only
# that well; then the summary over every borehole and the model card of the applied model.
# `snakemake predict` runs this part alone. The applied model is the run's final model (its
# recipe refitted on its train and val boreholes, rule final_classifier) or its evaluated
# model(s) (predict.model: evaluated).

if SETTINGS.predict is not None:
    PREDICT = SETTINGS.predict
    PREDICT_RUN_DIR = classifier_dir(PREDICT.run)
    PREDICT_SPEC = SETTINGS.classifiers[PREDICT.run]
    PREDICT_FILES = stop_on_user_error(lambda: predict_input_files(PREDICT))
    PREDICT_MODEL = predict_model_files(PREDICT, PREDICT_SPEC)
    PREDICT_OUTPUTS = {
        "table": "results/predict/{borehole}.parquet",
        "csv": "results/predict/{borehole}.csv",
        "figure": "results/predict/{borehole}.png",
        "report": "results/predict/reports/{borehole}.json",
    }
    if PREDICT.source == "las":
        PREDICT_OUTPUTS["las"] = "results/predict/{borehole}.las"

    if PREDICT.source == "table":

        rule predict_split_table:
            input:
                table=PREDICT.data["table"]["path"],
                code=script_code("predict_split_table.py"),
            output:
                expand(
                    "results/predict/input/{borehole}.parquet", borehole=PREDICT_FILES
                ),
            log:
                "logs/predict_split_table/predict_split_table.log",
            benchmark:
                "benchmarks/predict_split_table/predict_split_table.tsv"
            conda:
                "../../envs/torch.yaml"
            params:
                table=PREDICT.data["table"],
                boreholes=list(PREDICT_FILES),
            script:
                "../scripts/predict_split_table.py"

    rule final_classifier:
        input:
            unpack(classifier_inputs),
            evaluated=f"{classifier_dir('{run}')}/config.json",
            code=script_code("final_classifier.py"),
        output:
            model=f"{classifier_dir('{run}')}/final/{PREDICT_SPEC.kind.weights_file}",
            config=f"{classifier_dir('{run}')}/final/config.json",
            pipeline=f"{classifier_dir('{run}')}/final/pipeline.json",
            provenance=f"{classifier_dir('{run}')}/final/provenance.json",
        log:
            "logs/final_classifier/{run}.log",
        benchmark:
            "benchmarks/final_classifier/{run}.tsv"
        wildcard_constraints:
            run=one_of([PREDICT.run]),
        conda:
            "../../envs/torch.yaml"
        threads: config["compute"][PREDICT_SPEC.kind.threads_key]
        resources:
            gpu=(
                config["compute"]["gpus_per_training_job"]
                if PREDICT_SPEC.kind.uses_gpu
                else 0
            ),
        params:
            spec=classifier_spec,
            scaling=classifier_scaling,
            device=config["compute"]["device"],
        script:
            "../scripts/final_classifier.py"

    rule model_card:
        input:
            model=PREDICT_MODEL,
            metrics=f"{PREDICT_RUN_DIR}/metrics.json",
            predictions=f"{PREDICT_RUN_DIR}/predictions.parquet",
            provenance=f"{PREDICT_RUN_DIR}/provenance.json",
            code=script_code("model_card.py"),
        output:
            markdown=predict_card_path("md"),
            json=predict_card_path("json"),
        log:
            "logs/model_card/model_card.log",
        benchmark:
            "benchmarks/model_card/model_card.tsv"
        conda:
            "../../envs/torch.yaml"
        params:
            run_dir=PREDICT_RUN_DIR,
            run=PREDICT.run,
            model=PREDICT.model,
        script:
            "../scripts/model_card.py"

    rule predict_borehole:
        input:
            source=lambda wildcards: PREDICT_FILES[wildcards.borehole],
            model=PREDICT_MODEL,
            training=f"{PREDICT_RUN_DIR}/predictions.parquet",
            code=script_code("predict_borehole.py"),
        output:
            **PREDICT_OUTPUTS,
        log:
            "logs/predict_borehole/{borehole}.log",
        benchmark:
            "benchmarks/predict_borehole/{borehole}.tsv"
        wildcard_constraints:
            borehole=one_of(list(PREDICT_FILES)),
        conda:
            "../../envs/torch.yaml"
        threads: 1
        params:
            run_dir=PREDICT_RUN_DIR,
            run=PREDICT.run,
            model=PREDICT.model,
            data=PREDICT.data,
            bin_size_m=config["ingest"]["bin_size_m"],
            filters=config["ingest"]["filters"],
            figures=config["figures"],
        script:
            "../scripts/predict_borehole.py"

    rule predict_summary:
        input:
            tables=expand("results/predict/{borehole}.parquet", borehole=PREDICT_FILES),
            reports=expand(
                "results/predict/reports/{borehole}.json", borehole=PREDICT_FILES
            ),
            training=f"{PREDICT_RUN_DIR}/predictions.parquet",
            penalty_matrix=(
                [PREDICT_SPEC.penalty_matrix] if PREDICT_SPEC.penalty_matrix else []
            ),
            code=script_code("predict_summary.py"),
        output:
            summary="results/predict/summary.csv",
            json="results/predict/summary.json",
            figure="results/predict/overview.png",
        log:
            "logs/predict_summary/predict_summary.log",
        benchmark:
            "benchmarks/predict_summary/predict_summary.tsv"
        conda:
            "../../envs/torch.yaml"
        params:
            run_dir=PREDICT_RUN_DIR,
            bootstrap=PREDICT.bootstrap,
            seed=PREDICT.seed,
            figures=config["figures"],
        script:
            "../scripts/predict_summary.py"

    # The target of `snakemake predict` (like `all`, it only names files).
    rule predict:
        input:
            "results/predict/summary.csv",
            predict_card_path("md"),
