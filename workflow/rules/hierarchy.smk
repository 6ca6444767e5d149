# Rules: hierarchy. Every label of the dataset mapped to a lithology group by the ordered keyword
# rules of config `hierarchy` or by the user's mapping CSV (methodology.md §6).


def hierarchy_inputs(wildcards):
    """The dataset, and the user's mapping CSV when one is configured."""
    inputs = {"features": "results/data/features.parquet"}
    if config["hierarchy"].get("mapping_csv"):
        inputs["mapping_csv"] = config["hierarchy"]["mapping_csv"]
    return inputs


rule lithology_hierarchy:
    input:
        unpack(hierarchy_inputs),
        code=lib("dataset.py", "hierarchy.py"),
    output:
        mapping="results/hierarchy/lithology_hierarchy_mapping.csv",
    log:
        "logs/lithology_hierarchy/lithology_hierarchy.log",
    benchmark:
        "benchmarks/lithology_hierarchy/lithology_hierarchy.tsv"
    conda:
        "../../envs/core.yaml"
    params:
        hierarchy=config["hierarchy"],
    script:
        "../scripts/lithology_hierarchy.py"
