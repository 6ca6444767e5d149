"""Figure: VAE reconstruction validation for one scope (test boreholes when configured)."""

import pandas as pd

from lithoflow.core.figure_style import FigureStyle, save_figure
from lithoflow.core.io import read_json
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.validation.reconstruction import scope_mask
from lithoflow.validation.reconstruction_figure import reconstruction_figure


def main(snakemake) -> None:
    configure_logging(snakemake.log[0])
    report = read_json(snakemake.input.report)
    errors = pd.read_parquet(snakemake.input.errors)
    rows = errors.loc[scope_mask(errors["split"], report["scope"])]
    style = FigureStyle.from_config(snakemake.params.figures)
    save_figure(reconstruction_figure(report, rows, style), snakemake.output.figure, style)


run_rule(main, snakemake)
