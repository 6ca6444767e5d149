"""Figure: anomaly logs (features, error, labels along depth) of the top boreholes."""

import pandas as pd

from lithoflow.core.figure_style import FigureStyle, save_figure
from lithoflow.core.io import read_json
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.validation.anomalies_figure import anomaly_log_figure

TEXT_COLUMNS = {"borehole_id": str, "split": str, "dominant_label": str, "top_feature": str}


def main(smk) -> None:
    configure_logging(smk.log[0])
    summary = read_json(smk.input.summary)
    style = FigureStyle.from_config(smk.params.figures)
    figure = anomaly_log_figure(
        pd.read_parquet(smk.input.errors),
        pd.read_csv(smk.input.intervals, dtype=TEXT_COLUMNS, keep_default_na=False),
        summary["top_boreholes"],
        summary["features"],
        summary["threshold"],
        summary["bin_size_m"],
        style,
    )
    save_figure(figure, smk.output.figure, style)


run_rule(main, snakemake)
