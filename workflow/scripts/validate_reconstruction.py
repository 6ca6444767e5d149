"""Rule validate_reconstruction: decode μ, metrics per scope in both spaces, per-row errors."""

from pathlib import Path

import torch

from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.validation.reconstruction_run import run_reconstruction_validation


def main(smk) -> None:
    configure_logging(smk.log[0])
    torch.set_num_threads(smk.threads)
    run_reconstruction_validation(
        vae_name=smk.params.vae,
        vae_dir=Path(smk.input.model).parent,
        embeddings_path=smk.input.embeddings,
        features_path=smk.input.features,
        hierarchy_path=smk.input.hierarchy,
        settings=smk.params.validation,
        report_paths=list(smk.output.reports),
        errors_path=smk.output.errors,
    )


run_rule(main, snakemake)
