# Rules: classify. One training rule per classifier kind of the registry
# (lithoflow.classifiers.kinds), each for the runs of its kind: a spec from
# config["classifiers"]["runs"] merged over config["classifiers"]["defaults"]
# (docs/investigation.md §7, extended). The kinds differ in their model file (the MLP's torch
# state dict model.pt, the trees' model.skops), their GPU request and their threads, all read
# from the registry. Inputs are the split parts (or the whole dataset for group K-fold), plus the
# VAE's embeddings, the depth context and the hierarchy only where the run uses them, so e.g. a
# hierarchy edit reruns the group classifiers only. The depth context of a source (raw features
# or a VAE's embeddings) is computed once per context set and shared by every run that uses it.


rule depth_context:
    input:
        unpack(context_extra),
        table=context_source,
        code=script_code("depth_context.py"),
    output:
        table="results/data/context/{source}/{context}.parquet",
    log:
        "logs/depth_context/{source}/{context}.log",
    benchmark:
        "benchmarks/depth_context/{source}/{context}.tsv"
    conda:
        "../../envs/core.yaml"
    params:
        settings=context_settings,
    script:
        "../scripts/depth_context.py"


for kind in KINDS.values():

    rule:
        name:
            kind.rule
        input:
            unpack(classifier_inputs),
            code=script_code("train_classifier.py"),
        output:
            **classifier_outputs(kind.weights_file),
        log:
            f"logs/{kind.rule}/{{run}}.log",
        benchmark:
            f"benchmarks/{kind.rule}/{{run}}.tsv"
        wildcard_constraints:
            run=one_of(SETTINGS.runs_of_kind(kind.name)),
        priority: classifier_job_priority
        conda:
            "../../envs/torch.yaml"
        threads: config["compute"][kind.threads_key]
        resources:
            gpu=config["compute"]["gpus_per_training_job"] if kind.uses_gpu else 0,
        params:
            spec=classifier_spec,
            scaling=classifier_scaling,
            device=config["compute"]["device"],
            resume_dir="results/models/classifiers/.resume/{run}",
        script:
            "../scripts/train_classifier.py"


rule search_report:
    input:
        metrics="results/models/classifiers/{run}/metrics.json",
        code=script_code("search_report.py"),
    output:
        table="results/models/classifiers/{run}/search.csv",
        figure="results/models/classifiers/{run}/search.png",
    log:
        "logs/search_report/{run}.log",
    benchmark:
        "benchmarks/search_report/{run}.tsv"
    wildcard_constraints:
        run=one_of(searched_runs()),
    conda:
        "../../envs/core.yaml"
    params:
        figures=config["figures"],
    script:
        "../scripts/search_report.py"


rule ensemble_classifier:
    input:
        metrics=ensemble_member_files("metrics.json"),
        probabilities=ensemble_member_files("probabilities.parquet"),
        penalty_matrix=ensemble_penalty,
        code=script_code("ensemble_classifier.py"),
    output:
        metrics="results/models/classifiers/{run}/metrics.json",
        members="results/models/classifiers/{run}/members.json",
        config="results/models/classifiers/{run}/config.json",
        predictions="results/models/classifiers/{run}/predictions.parquet",
        probabilities="results/models/classifiers/{run}/probabilities.parquet",
        confusion="results/models/classifiers/{run}/confusion.csv",
        provenance="results/models/classifiers/{run}/provenance.json",
    log:
        "logs/ensemble_classifier/{run}.log",
    benchmark:
        "benchmarks/ensemble_classifier/{run}.tsv"
    wildcard_constraints:
        run=one_of(SETTINGS.ensembles),
    conda:
        "../../envs/torch.yaml"
    params:
        spec=classifier_spec,
        members=lambda wildcards: SETTINGS.classifiers[wildcards.run].ensemble[
            "members"
        ],
    script:
        "../scripts/ensemble_classifier.py"
