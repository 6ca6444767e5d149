# Rules: ingest. Each raw table is binned by its own job (tables bin in parallel and a changed table
# re-bins alone); one job joins the binned tables and applies the filters.


rule bin_table:
    input:
        raw=raw_table_file,
        label_codes=label_code_files,
        code=script_code("bin_table.py"),
    output:
        table="results/data/binned/{table}.parquet",
        report="results/data/binned/{table}.json",
        unlabelled="results/data/binned/{table}.unlabelled.parquet",
    log:
        "logs/bin_table/{table}.log",
    benchmark:
        "benchmarks/bin_table/{table}.tsv"
    conda:
        "../../envs/core.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        config=bin_table_config,
    script:
        "../scripts/bin_table.py"


rule merge_tables:
    input:
        tables=binned_table_files("parquet"),
        reports=binned_table_files("json"),
        unlabelled=binned_table_files("unlabelled.parquet"),
        code=script_code("merge_tables.py"),
    output:
        table="results/data/features.parquet",
        unlabelled="results/data/unlabelled.parquet",
        report=report(
            "results/data/ingest_report.json",
            caption="../report/ingest_report.rst",
            category="Data",
        ),
    log:
        "logs/merge_tables/merge_tables.log",
    benchmark:
        "benchmarks/merge_tables/merge_tables.tsv"
    conda:
        "../../envs/core.yaml"
    params:
        config=merge_tables_config(),
    script:
        "../scripts/merge_tables.py"
