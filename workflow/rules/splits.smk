# Rules: splits. Whole boreholes go to train/val/test (methodology.md §4, §11.A.1). The assignment
# reads only features.parquet and the method's own settings, so editing the hierarchy reruns the
# reports but never the splits (nor the models trained on them).

from lithoflow.splits import SplitConfig


def split_parameters(wildcards):
    """The settings this split method uses, and only those (a change to another reruns nothing)."""
    return SplitConfig.from_config(config["splits"], wildcards.method).parameters()


rule split_boreholes:
    input:
        features="results/data/features.parquet",
        code=lib("dataset.py", "information.py", "splits.py"),
    output:
        train="results/splits/{method}/train.parquet",
        val="results/splits/{method}/val.parquet",
        test="results/splits/{method}/test.parquet",
    log:
        "logs/split_boreholes/{method}.log",
    benchmark:
        "benchmarks/split_boreholes/{method}.tsv"
    conda:
        "../../envs/core.yaml"
    resources:
        mem_mb=4000,
    params:
        split=split_parameters,
    script:
        "../scripts/split_boreholes.py"


rule split_report:
    input:
        train="results/splits/{method}/train.parquet",
        val="results/splits/{method}/val.parquet",
        test="results/splits/{method}/test.parquet",
        hierarchy="results/hierarchy/lithology_hierarchy_mapping.csv",
        code=lib(
            "dataset.py",
            "hierarchy.py",
            "information.py",
            "splits.py",
            "split_statistics.py",
        ),
    output:
        report="results/splits/{method}/split_report.json",
    log:
        "logs/split_report/{method}.log",
    benchmark:
        "benchmarks/split_report/{method}.tsv"
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/split_report.py"
