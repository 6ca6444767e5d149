"""Rule plot_simulation_realism: the realism report as a four-panel figure."""

from lithoflow.figures.realism import plot_realism
from lithoflow.figures.style import FigureStyle, save_figure
from lithoflow.io import read_json
from lithoflow.logs import configure_logging


def main(smk) -> None:
    configure_logging(smk.log[0])
    style = FigureStyle.from_config(smk.params.figures)
    save_figure(plot_realism(read_json(smk.input.realism), style), smk.output[0], style)


main(snakemake)
