"""Rule train_vae: fit the scaler and the VAE, write the model folder and embeddings.parquet."""

from pathlib import Path

from lithoflow.core.device import ComputeConfig, prepare_device
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.features.scaling import ScalingConfig
from lithoflow.vae.config import VAEConfig
from lithoflow.vae.run import train_vae_run


def main(smk) -> None:
    configure_logging(smk.log[0])
    compute = ComputeConfig.from_config({"device": smk.params.device}, threads=smk.threads)
    train_vae_run(
        name=smk.wildcards.vae,
        config=VAEConfig.from_config(smk.params.vae),
        scaling=ScalingConfig.from_config(smk.params.scaling),
        features_path=smk.input.features,
        split_paths={part: smk.input[part] for part in ("train", "val", "test")},
        output_dir=Path(smk.output.model).parent,
        device=prepare_device(compute),
        resume_dir=smk.params.resume_dir,
        full_config=smk.config,
        workflow_dir=smk.scriptdir,
        hierarchy_path=smk.input.get("hierarchy"),
    )


run_rule(main, snakemake)
