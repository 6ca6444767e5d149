# Rules: ingest. Each raw table is binned by its own job (tables bin in parallel and a changed table
# re-bins alone); one job joins the binned tables and applies the filters.


def bin_table_config(wildcards):
    """Only the config that binning this table uses, so other edits do not rerun it."""
    ingest = config["ingest"]
    data = {"source": SOURCE}
    settings = {"bin_size_m": ingest["bin_size_m"]}
    if SOURCE == "table":
        data["table"] = config["data"]["table"]
    else:
        settings["columns"] = ingest["columns"]
        settings["tables"] = {wildcards.table: ingest["tables"][wildcards.table]}
    return {"data": data, "ingest": settings}


def merge_tables_config():
    """The config the merge uses: table order and features, label table, filters."""
    if SOURCE == "table":
        ingest = config["ingest"]
        return {
            "data": {"source": SOURCE, "table": config["data"]["table"]},
            "ingest": {
                "bin_size_m": ingest["bin_size_m"],
                "filters": ingest["filters"],
            },
        }
    return {"data": {"source": SOURCE}, "ingest": config["ingest"]}


def raw_table_file(wildcards):
    """The raw file binned into this table."""
    return raw_table_path(wildcards.table)


def binned_table_files(ext):
    return expand("results/data/binned/{table}.{ext}", table=TABLES, ext=ext)


rule bin_table:
    input:
        raw=raw_table_file,
        code=lib("binning.py", "dataset.py", "ingest.py", "readers.py"),
    output:
        table="results/data/binned/{table}.parquet",
        report="results/data/binned/{table}.json",
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
        code=lib("binning.py", "dataset.py", "ingest.py", "readers.py"),
    output:
        table="results/data/features.parquet",
        report="results/data/ingest_report.json",
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
