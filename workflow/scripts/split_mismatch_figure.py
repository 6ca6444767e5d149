"""Figure: divergences, classes absent from train and per-class shares of every split method."""

import pandas as pd

from lithoflow.figures.mismatch import plot_mismatch
from lithoflow.figures.style import FigureStyle, save_figure
from lithoflow.io import read_json
from lithoflow.logs import configure_logging


def main(smk) -> None:
    configure_logging(smk.log[0])
    style = FigureStyle.from_config(smk.params.figures)
    table = pd.read_csv(smk.input.table, keep_default_na=False, na_values=[""])
    figure = plot_mismatch(table, read_json(smk.input.summary), style)
    save_figure(figure, smk.output.figure, style)


main(snakemake)
