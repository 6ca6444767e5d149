"""Figure: Ward dendrogram of the lithology centroids, leaves coloured by expert group."""

from lithoflow.core.figure_style import FigureStyle, save_figure
from lithoflow.core.io import read_json
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.validation.dendrogram_figure import hierarchy_dendrogram_figure


def main(snakemake) -> None:
    configure_logging(snakemake.log[0])
    style = FigureStyle.from_config(snakemake.params.figures)
    figure = hierarchy_dendrogram_figure(read_json(snakemake.input.summary), style)
    save_figure(figure, snakemake.output.figure, style)


run_rule(main, snakemake)
