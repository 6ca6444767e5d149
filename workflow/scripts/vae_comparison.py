"""Rule vae_comparison: every VAE's reconstruction, active dimensions, ARI and classifier score."""

from pathlib import Path

import torch

from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.validation.vae_comparison import VaeComparisonConfig, run_vae_comparison


def main(smk) -> None:
    configure_logging(smk.log[0])
    torch.set_num_threads(smk.threads)
    models = zip(smk.params.vaes, smk.input.models, strict=True)
    run_vae_comparison(
        vae_dirs={name: Path(path).parent for name, path in models},
        features_path=smk.input.features,
        hierarchy_path=smk.input.hierarchy,
        classifier_runs=smk.params.classifier_runs,
        metrics_paths=dict(zip(smk.params.scored_runs, smk.input.metrics, strict=True)),
        config=VaeComparisonConfig.from_config(smk.params.validation),
        output_path=smk.output.table,
    )


run_rule(main, snakemake)
