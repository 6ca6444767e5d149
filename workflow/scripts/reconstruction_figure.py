"""Figure: VAE reconstruction validation for one scope (test boreholes when configured)."""

import pandas as pd

from lithoflow.figures.reconstruction import reconstruction_figure
from lithoflow.figures.style import FigureStyle, save_figure
from lithoflow.io import read_json
from lithoflow.logs import configure_logging
from lithoflow.reconstruction import scope_mask


def main(snakemake) -> None:
    configure_logging(snakemake.log[0])
    report = read_json(snakemake.input.report)
    errors = pd.read_parquet(snakemake.input.errors)
    rows = errors.loc[scope_mask(errors["split"], report["scope"])]
    style = FigureStyle.from_config(snakemake.params.figures)
    save_figure(reconstruction_figure(report, rows, style), snakemake.output.figure, style)


main(snakemake)
