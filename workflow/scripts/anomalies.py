"""Rule anomalies: anomaly intervals along depth from the per-row reconstruction errors."""

from lithoflow.core.io import write_csv, write_json
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.validation.anomalies import AnomalyConfig, detect_anomalies, read_error_table


def main(smk) -> None:
    configure_logging(smk.log[0])
    path = str(smk.input.errors)
    errors, features, vae = read_error_table(path)
    bin_size_m = float(smk.params.bin_size_m)
    config = AnomalyConfig.from_config(smk.params.anomalies)
    result = detect_anomalies(errors, features, bin_size_m, config, path)
    write_csv(smk.output.intervals, result.intervals)
    write_json(smk.output.summary, result.summary(vae=vae, errors=path, bin_size_m=bin_size_m))


run_rule(main, snakemake)
