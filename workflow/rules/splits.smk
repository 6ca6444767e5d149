# Rules: splits. Whole boreholes go to train/val/test (docs/investigation.md §4, §11.A.1). The assignment
# reads only features.parquet and the method's own settings, so editing the hierarchy reruns the
# reports but never the splits (nor the models trained on them).


rule split_boreholes:
    input:
        features="results/data/features.parquet",
        report="results/data/ingest_report.json",
        code=script_code("split_boreholes.py"),
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
        unpack(hierarchy_input),
        train="results/splits/{method}/train.parquet",
        val="results/splits/{method}/val.parquet",
        test="results/splits/{method}/test.parquet",
        code=script_code("split_report.py"),
    output:
        report=report(
            "results/splits/{method}/split_report.json",
            caption="../report/split_report.rst",
            category="Splits",
            labels={"method": "{method}"},
        ),
    log:
        "logs/split_report/{method}.log",
    benchmark:
        "benchmarks/split_report/{method}.tsv"
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/split_report.py"
