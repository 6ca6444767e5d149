# Rules: analysis. Class-imbalance reports of the labels and of the groups, and the side-by-side
# mismatch of every split method (docs/investigation.md §5). Figures are drawn by their own rules.

MISMATCH_MIN_TEST_ROWS = 100


# Every part of every configured split method.
ALL_SPLIT_PARTS = expand(
    "results/splits/{method}/{part}.parquet", method=SPLIT_METHODS, part=SPLIT_PARTS
)


rule lithology_distribution:
    input:
        features="results/data/features.parquet",
        code=script_code("lithology_distribution.py"),
    output:
        table=report(
            "results/analysis/lithology_distribution.csv",
            caption="../report/lithology_distribution.rst",
            category="Class imbalance",
        ),
        summary="results/analysis/lithology_distribution.json",
    log:
        "logs/lithology_distribution/lithology_distribution.log",
    benchmark:
        "benchmarks/lithology_distribution/lithology_distribution.tsv"
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/lithology_distribution.py"


if SETTINGS.hierarchy:

    rule group_distribution:
        input:
            hierarchy="results/hierarchy/lithology_hierarchy_mapping.csv",
            code=script_code("group_distribution.py"),
        output:
            table=report(
                "results/analysis/group_distribution.csv",
                caption="../report/group_distribution.rst",
                category="Class imbalance",
            ),
            summary="results/analysis/group_distribution.json",
        log:
            "logs/group_distribution/group_distribution.log",
        benchmark:
            "benchmarks/group_distribution/group_distribution.tsv"
        conda:
            "../../envs/core.yaml"
        script:
            "../scripts/group_distribution.py"


rule distribution_figure:
    input:
        table="results/analysis/{level}_distribution.csv",
        code=script_code("distribution_figure.py"),
    output:
        figure=report(
            "results/analysis/{level}_distribution.png",
            caption="../report/distribution_figure.rst",
            category="Class imbalance",
            labels={"level": "{level}", "content": "figure"},
        ),
    log:
        "logs/distribution_figure/{level}.log",
    benchmark:
        "benchmarks/distribution_figure/{level}.tsv"
    wildcard_constraints:
        level="lithology|group",
    conda:
        "../../envs/core.yaml"
    params:
        figures=config["figures"],
    script:
        "../scripts/distribution_figure.py"


rule split_mismatch:
    input:
        unpack(hierarchy_input),
        parts=ALL_SPLIT_PARTS,
        code=script_code("split_mismatch.py"),
    output:
        table=report(
            "results/analysis/split_mismatch.csv",
            caption="../report/split_mismatch.rst",
            category="Split mismatch",
        ),
        summary="results/analysis/split_mismatch.json",
    log:
        "logs/split_mismatch/split_mismatch.log",
    benchmark:
        "benchmarks/split_mismatch/split_mismatch.tsv"
    conda:
        "../../envs/core.yaml"
    params:
        min_test_rows=MISMATCH_MIN_TEST_ROWS,
    script:
        "../scripts/split_mismatch.py"


rule split_mismatch_figure:
    input:
        table="results/analysis/split_mismatch.csv",
        summary="results/analysis/split_mismatch.json",
        code=script_code("split_mismatch_figure.py"),
    output:
        figure=report(
            "results/analysis/split_mismatch.png",
            caption="../report/split_mismatch_figure.rst",
            category="Split mismatch",
        ),
    log:
        "logs/split_mismatch_figure/split_mismatch_figure.log",
    benchmark:
        "benchmarks/split_mismatch_figure/split_mismatch_figure.tsv"
    conda:
        "../../envs/core.yaml"
    params:
        figures=config["figures"],
    script:
        "../scripts/split_mismatch_figure.py"
