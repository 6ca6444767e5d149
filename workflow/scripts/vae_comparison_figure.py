"""Figure: the VAEs of vae_comparison.csv side by side."""

import pandas as pd

from lithoflow.core.figure_style import FigureStyle, save_figure
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.validation.vae_comparison_figure import vae_comparison_figure


def main(smk) -> None:
    configure_logging(smk.log[0])
    style = FigureStyle.from_config(smk.params.figures)
    table = pd.read_csv(smk.input.table, keep_default_na=False, na_values=[""])
    save_figure(vae_comparison_figure(table, style), smk.output.figure, style)


run_rule(main, snakemake)
