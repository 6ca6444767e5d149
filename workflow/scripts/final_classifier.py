"""Rule final_classifier: refit a run's recipe on its train and val boreholes (its final model)."""

from pathlib import Path

from lithoflow.classifiers.data import ClassifierInputs
from lithoflow.classifiers.final import train_final_model
from lithoflow.classifiers.spec import ClassifierSpec
from lithoflow.core.device import ComputeConfig, prepare_device
from lithoflow.core.io import read_json
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.features.scaling import ScalingConfig


def main(smk) -> None:
    configure_logging(smk.log[0])
    compute = ComputeConfig.from_config({"device": smk.params.device}, threads=smk.threads)
    spec = ClassifierSpec.from_merged(smk.wildcards.run, smk.params.spec)
    scaling = ScalingConfig.of_run(smk.params.scaling)
    files = ClassifierInputs.from_named(smk.input)
    train_final_model(
        spec=spec,
        files=files,
        scaling=scaling,
        output_dir=Path(smk.output.config).parent,
        device=prepare_device(compute),
        full_config=smk.config,
        workflow_dir=smk.scriptdir,
        chosen=read_json(smk.input.evaluated)["spec"],
    )


run_rule(main, snakemake)
