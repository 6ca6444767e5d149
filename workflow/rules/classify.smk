# Rules: classify. One rule for every named classifier run (methodology.md §7): a spec from
# config["classifiers"]["runs"] merged over config["classifiers"]["defaults"]. Inputs are the
# split parts, plus the VAE's embeddings (input: embedding) and the hierarchy (target: group) only
# where the run uses them, so e.g. a hierarchy edit reruns the group classifiers only.


def classifier_spec(wildcards):
    """The run's spec merged over the defaults: changing it reruns this run only."""
    classifiers = config["classifiers"]
    return {**classifiers["defaults"], **classifiers["runs"][wildcards.run]}


def classifier_scaling(wildcards):
    """The scaling settings, for raw-feature runs only (embedding runs use μ as it is)."""
    return config["scaling"] if classifier_spec(wildcards)["input"] == "raw" else {}


def classifier_inputs(wildcards):
    """Split parts of the run's method, plus embeddings and hierarchy where the run uses them."""
    spec = classifier_spec(wildcards)
    inputs = {
        part: f"results/splits/{spec['split']}/{part}.parquet" for part in SPLIT_PARTS
    }
    if spec["input"] == "embedding":
        inputs["embeddings"] = f"{vae_dir(spec['vae'])}/embeddings.parquet"
    if spec["target"] == "group":
        inputs["hierarchy"] = "results/hierarchy/lithology_hierarchy_mapping.csv"
    return inputs


rule train_classifier:
    input:
        unpack(classifier_inputs),
        code=lib(
            "checkpoints.py",
            "classifiers.py",
            "dataset.py",
            "device.py",
            "embeddings.py",
            "hierarchy.py",
            "metrics.py",
            "provenance.py",
            "scaling.py",
            "training.py",
        ),
    output:
        model="results/models/classifiers/{run}/model.pt",
        config="results/models/classifiers/{run}/config.json",
        scaler="results/models/classifiers/{run}/scaler.json",
        metrics="results/models/classifiers/{run}/metrics.json",
        confusion="results/models/classifiers/{run}/confusion.csv",
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
