"""Rule train_classifier: train one named classifier run (every unit) and write its folder."""

from pathlib import Path

from lithoflow.classifiers.data import ClassifierInputs
from lithoflow.classifiers.run import train_classifier_run
from lithoflow.classifiers.spec import ClassifierSpec
from lithoflow.core.device import ComputeConfig, prepare_device
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.features.scaling import ScalingConfig


def main(smk) -> None:
    configure_logging(smk.log[0])
    compute = ComputeConfig.from_config({"device": smk.params.device}, threads=smk.threads)
    spec = ClassifierSpec.from_merged(smk.wildcards.run, smk.params.spec)
    scaling = ScalingConfig.of_run(smk.params.scaling)
    files = ClassifierInputs.from_named(smk.input)
    train_classifier_run(
        spec=spec,
        files=files,
        scaling=scaling,
        output_dir=Path(smk.output.metrics).parent,
        device=prepare_device(compute),
        resume_dir=smk.params.resume_dir,
        full_config=smk.config,
        workflow_dir=smk.scriptdir,
    )


run_rule(main, snakemake)
