"""Rule train_classifier: train one named classifier run and write its folder."""

from pathlib import Path

from lithoflow.core.device import ComputeConfig, prepare_device
from lithoflow.core.logs import configure_logging
from lithoflow.models.classifiers import ClassifierSpec, train_classifier_run
from lithoflow.models.scaling import ScalingConfig


def main(smk) -> None:
    configure_logging(smk.log[0])
    compute = ComputeConfig.from_config({"device": smk.params.device}, threads=smk.threads)
    spec = ClassifierSpec.from_merged(smk.wildcards.run, smk.params.spec)
    # Embedding runs get no scaling settings (they use μ as it is).
    scaling = (
        ScalingConfig.from_config(smk.params.scaling) if smk.params.scaling else ScalingConfig()
    )
    train_classifier_run(
        spec=spec,
        split_paths={part: smk.input[part] for part in ("train", "val", "test")},
        scaling=scaling,
        output_dir=Path(smk.output.metrics).parent,
        device=prepare_device(compute),
        embeddings_path=smk.input.get("embeddings"),
        mapping_path=smk.input.get("hierarchy"),
        resume_dir=smk.params.resume_dir,
        full_config=smk.config,
        workflow_dir=smk.scriptdir,
    )


main(snakemake)
