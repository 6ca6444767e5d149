# Rules: hierarchy. Every label of the dataset mapped to a lithology group by the ordered keyword
# rules of config `hierarchy` or by the user's mapping CSV (methodology.md §6).


# The user's mapping CSV, when one is configured, is an input (editing it reruns the mapping).
USER_MAPPING_CSV = (
    [config["hierarchy"]["mapping_csv"]]
    if config["hierarchy"].get("mapping_csv")
    else []
)


rule lithology_hierarchy:
    input:
        features="results/data/features.parquet",
        user_mapping=USER_MAPPING_CSV,
        code=script_code("lithology_hierarchy.py"),
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
