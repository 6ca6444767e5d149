"""Rule data_driven_hierarchy: Ward groups of lithology centroids, compared with the expert ones."""

from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.features.scaling import ScalingConfig
from lithoflow.hierarchy.data_driven import DataDrivenConfig, run_data_driven_hierarchy


def main(smk) -> None:
    configure_logging(smk.log[0])
    run_data_driven_hierarchy(
        config=DataDrivenConfig.from_config(smk.params.data_driven),
        scaling=ScalingConfig.from_config(smk.params.scaling),
        features_path=smk.input.features,
        expert_mapping_path=smk.input.expert,
        mapping_path=smk.output.mapping,
        summary_path=smk.output.summary,
        train_path=smk.input.get("train"),
        embeddings_path=smk.input.get("embeddings"),
    )


run_rule(main, snakemake)
