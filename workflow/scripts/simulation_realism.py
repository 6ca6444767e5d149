"""Rule simulation_realism: compare the binned simulated data with the real LILY figures."""

from lithoflow.core.dataset import read_dataset
from lithoflow.core.io import write_json
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.simulate.realism import PredictabilitySettings, realism_report


def main(smk) -> None:
    configure_logging(smk.log[0])
    features = read_dataset(smk.input.features)
    binned = {
        table: read_dataset(path)
        for table, path in zip(smk.params.tables, smk.input.binned, strict=True)
    }
    settings = PredictabilitySettings(seed=int(smk.params.seed))
    report = realism_report(features, binned, scale=smk.params.scale, predictability=settings)
    write_json(smk.output[0], report)


run_rule(main, snakemake)
