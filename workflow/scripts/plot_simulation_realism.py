"""Rule plot_simulation_realism: the realism report as a four-panel figure."""

from lithoflow.core.figure_style import FigureStyle, save_figure
from lithoflow.core.io import read_json
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.simulate.realism_figure import plot_realism


def main(smk) -> None:
    configure_logging(smk.log[0])
    style = FigureStyle.from_config(smk.params.figures)
    save_figure(plot_realism(read_json(smk.input.realism), style), smk.output[0], style)


run_rule(main, snakemake)
