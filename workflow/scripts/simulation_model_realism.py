"""Rule simulation_model_realism: the run's model results against the investigation's figures."""

import pandas as pd

from lithoflow.core.io import read_json, write_json
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.simulate.model_realism import model_realism_report


def main(smk) -> None:
    configure_logging(smk.log[0])
    metrics = {
        run: read_json(path) for run, path in zip(smk.params.runs, smk.input.metrics, strict=True)
    }
    columns = ["borehole_id", "true", "predicted", "part"]
    predictions = {
        run: pd.read_parquet(path, columns=columns)
        for run, path in zip(smk.params.runs, smk.input.predictions, strict=True)
    }
    reconstruction = read_json(smk.input.reconstruction) if smk.input.reconstruction else None
    report = model_realism_report(
        metrics, predictions, reconstruction, scale=smk.params.scale, seed=smk.params.seed
    )
    write_json(smk.output[0], report)


run_rule(main, snakemake)
