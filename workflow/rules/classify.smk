# Rules: classify. One rule for every named classifier run (methodology.md §7): a spec from
# config["classifiers"]["runs"] merged over config["classifiers"]["defaults"]. Inputs are the
# split parts, plus the VAE's embeddings (input: embedding) and the hierarchy (target: group) only
# where the run uses them, so e.g. a hierarchy edit reruns the group classifiers only.


rule train_classifier:
    input:
        unpack(classifier_inputs),
        code=script_code("train_classifier.py"),
    output:
        model="results/models/classifiers/{run}/model.pt",
        config="results/models/classifiers/{run}/config.json",
        scaler="results/models/classifiers/{run}/scaler.json",
        metrics=report(
            "results/models/classifiers/{run}/metrics.json",
            caption="../report/classifier_metrics.rst",
            category="Classifiers",
            labels={"run": "{run}", "content": "test metrics"},
        ),
        confusion=report(
            "results/models/classifiers/{run}/confusion.csv",
            caption="../report/classifier_confusion.rst",
            category="Classifiers",
            labels={"run": "{run}", "content": "confusion (test)"},
        ),
        predictions="results/models/classifiers/{run}/predictions.parquet",
        history="results/models/classifiers/{run}/history.csv",
        provenance="results/models/classifiers/{run}/provenance.json",
    log:
        "logs/train_classifier/{run}.log",
    benchmark:
        "benchmarks/train_classifier/{run}.tsv"
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
