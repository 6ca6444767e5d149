"""Figure: log-scale bar chart of the lithology or group distribution."""

import pandas as pd

from lithoflow.core.figure_style import FigureStyle, save_figure
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.splits.distribution_figure import plot_distribution

TITLES = {"lithology": "Rows per lithology", "group": "Rows per lithology group"}


def main(smk) -> None:
    configure_logging(smk.log[0])
    style = FigureStyle.from_config(smk.params.figures)
    table = pd.read_csv(smk.input.table, keep_default_na=False)
    figure = plot_distribution(table, TITLES[smk.wildcards.level], style)
    save_figure(figure, smk.output.figure, style)


run_rule(main, snakemake)
