"""Rule anomaly_recall: precision and recall of the detected anomaly intervals against the
intervals the simulator injected."""

import pandas as pd

from lithoflow.core.io import write_json
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.validation.anomaly_recall import (
    DETECTED_COLUMNS,
    TRUTH_COLUMNS,
    anomaly_recall,
    check_columns,
)


def main(smk) -> None:
    configure_logging(smk.log[0])
    detected = pd.read_csv(smk.input.intervals, dtype={"borehole_id": str})
    truth = pd.read_csv(smk.input.truth, dtype={"borehole_id": str})
    check_columns(detected, DETECTED_COLUMNS, str(smk.input.intervals))
    check_columns(truth, TRUTH_COLUMNS, str(smk.input.truth))
    rows = pd.read_parquet(smk.input.errors, columns=["borehole_id", "depth_bin_m", "split"])
    result = anomaly_recall(detected, truth, rows, float(smk.params.bin_size_m))
    result.update(
        intervals=str(smk.input.intervals),
        truth=str(smk.input.truth),
        errors=str(smk.input.errors),
    )
    write_json(smk.output.summary, result)


run_rule(main, snakemake)
