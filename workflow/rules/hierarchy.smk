# Rules: hierarchy. Every label of the dataset mapped to a lithology group by the ordered keyword
# rules of config `hierarchy` or by the user's mapping CSV (docs/investigation.md §6).


# The user's mapping CSV, when one is configured, is an input (editing it reruns the mapping).
USER_MAPPING_CSV = (
    [config["hierarchy"]["mapping_csv"]]
    if SETTINGS.hierarchy and config["hierarchy"]["mapping_csv"]
    else []
)


if SETTINGS.hierarchy:

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


# --- data-driven hierarchy (hierarchy.data_driven) -----------------------------------------------

DATA_DRIVEN = config["hierarchy"]["data_driven"] if SETTINGS.data_driven else {}


# The rows it is fitted on: the split's train part (raw features) or the VAE's embeddings (mu).
DATA_DRIVEN_INPUTS = {}
if not DATA_DRIVEN:
    pass
elif DATA_DRIVEN["input"] == "embedding":
    DATA_DRIVEN_INPUTS["embeddings"] = (
        f"{vae_dir(DATA_DRIVEN['vae'])}/embeddings.parquet"
    )
elif DATA_DRIVEN["rows"] == "train":
    DATA_DRIVEN_INPUTS["train"] = f"results/splits/{DATA_DRIVEN['split']}/train.parquet"


if SETTINGS.data_driven:

    rule data_driven_hierarchy:
        input:
            **DATA_DRIVEN_INPUTS,
            features="results/data/features.parquet",
            expert="results/hierarchy/lithology_hierarchy_mapping.csv",
            code=script_code("data_driven_hierarchy.py"),
        output:
            mapping=report(
                "results/hierarchy/data_driven_mapping.csv",
                caption="../report/data_driven_mapping.rst",
                category="Data-driven hierarchy",
            ),
            summary=report(
                "results/hierarchy/data_driven_summary.json",
                caption="../report/data_driven_summary.rst",
                category="Data-driven hierarchy",
            ),
        log:
            "logs/data_driven_hierarchy/data_driven_hierarchy.log",
        benchmark:
            "benchmarks/data_driven_hierarchy/data_driven_hierarchy.tsv"
        conda:
            "../../envs/core.yaml"
        params:
            data_driven=DATA_DRIVEN,
            scaling=config["scaling"],
        script:
            "../scripts/data_driven_hierarchy.py"
