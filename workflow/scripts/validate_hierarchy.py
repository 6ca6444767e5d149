"""Hierarchy validation: lithology centroids of the VAE's μ, Ward clusters, ARI and coherence."""

import pandas as pd

from lithoflow.core.io import write_csv, write_json
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.hierarchy.centroids import embedding_matrix, encoded_rows
from lithoflow.hierarchy.mapping import groups_of, read_mapping
from lithoflow.validation.hierarchy import HierarchyValidationConfig, validate_hierarchy


def main(snakemake) -> None:
    configure_logging(snakemake.log[0])
    embeddings_path = str(snakemake.input.embeddings)
    embeddings, left_out = encoded_rows(pd.read_parquet(embeddings_path))
    mu = embedding_matrix(embeddings, embeddings_path)
    groups = groups_of(embeddings["label"], read_mapping(snakemake.input.hierarchy))
    config = HierarchyValidationConfig.from_config(
        {"coherence_bands": snakemake.params.coherence_bands}
    )
    result = validate_hierarchy(mu, embeddings["label"], groups, config)
    write_json(
        snakemake.output.summary,
        result.summary(
            vae=snakemake.params.vae,
            rows_used="every row of the VAE's embeddings (all splits), as in the investigation",
            rows_left_out_missing_features=left_out,
        ),
    )
    write_csv(snakemake.output.coherence, result.coherence)
    write_csv(snakemake.output.centroids, result.centroids)


run_rule(main, snakemake)
