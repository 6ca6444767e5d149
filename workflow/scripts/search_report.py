"""Rule search_report: a searched run's trials as a table and a figure."""

from lithoflow.classifiers.search_figure import search_figure, search_table
from lithoflow.core.figure_style import FigureStyle, save_figure
from lithoflow.core.io import read_json, write_csv
from lithoflow.core.logs import configure_logging, run_rule


def main(smk) -> None:
    configure_logging(smk.log[0])
    metrics = read_json(smk.input.metrics)
    table = search_table(metrics)
    write_csv(smk.output.table, table)
    style = FigureStyle.from_config(smk.params.figures)
    metric = metrics["search"].get("metric") or metrics["search"]["folds"][0]["metric"]
    figure = search_figure(table, metric, style, f"{smk.wildcards.run}: search")
    save_figure(figure, smk.output.figure, style)


run_rule(main, snakemake)
