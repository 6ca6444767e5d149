# Rules: classify. One rule for every named classifier run (docs/investigation.md §7, extended): a spec
# from config["classifiers"]["runs"] merged over config["classifiers"]["defaults"]. Inputs are the
# split parts (or the whole dataset for group K-fold), plus the VAE's embeddings, the depth context
# and the hierarchy only where the run uses them, so e.g. a hierarchy edit reruns the group
# classifiers only. The two model kinds differ only in the model file (model.pt: a torch state
# dict; model.skops: gradient-boosted trees saved with skops), so the boosting rule is the same
# rule with that output. The depth context of a source (raw features or a VAE's embeddings) is
# computed once per context set and shared by every run that uses it.


rule depth_context:
    input:
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


rule train_classifier:
    input:
        unpack(classifier_inputs),
        code=script_code("train_classifier.py"),
    output:
        **classifier_outputs("model.pt"),
    log:
        "logs/train_classifier/{run}.log",
    benchmark:
        "benchmarks/train_classifier/{run}.tsv"
    wildcard_constraints:
        run=one_of(MLP_RUNS),
    priority: classifier_job_priority
    conda:
        "../../envs/torch.yaml"
    threads: config["compute"]["training_threads"]
    resources:
        gpu=config["compute"]["gpus_per_training_job"],
    params:
        spec=classifier_spec,
        scaling=classifier_scaling,
        device=config["compute"]["device"],
        resume_dir="results/models/classifiers/.resume/{run}",
    script:
        "../scripts/train_classifier.py"


# Gradient-boosted trees run on the CPU: no GPU request.
use rule train_classifier as train_boosting_classifier with:
    output:
        **classifier_outputs("model.skops"),
    log:
        "logs/train_boosting_classifier/{run}.log",
    benchmark:
        "benchmarks/train_boosting_classifier/{run}.tsv"
    wildcard_constraints:
        run=one_of(BOOSTING_RUNS),
    threads: config["compute"]["boosting_threads"]
    resources:
        gpu=0,
