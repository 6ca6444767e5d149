"""Figure: divergences, classes absent from train and per-class shares of every split method."""

import pandas as pd

from lithoflow.core.figure_style import FigureStyle, save_figure
from lithoflow.core.io import read_json
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.splits.mismatch_figure import plot_mismatch


def main(smk) -> None:
    configure_logging(smk.log[0])
    style = FigureStyle.from_config(smk.params.figures)
    table = pd.read_csv(smk.input.table, keep_default_na=False, na_values=[""])
    figure = plot_mismatch(table, read_json(smk.input.summary), style)
    save_figure(figure, smk.output.figure, style)


run_rule(main, snakemake)
