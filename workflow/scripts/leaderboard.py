"""Rule leaderboard: every classifier run's scores with intervals, as a table and a figure."""

from lithoflow.core.figure_style import FigureStyle, save_figure
from lithoflow.core.io import read_json, write_csv
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.report.leaderboard import leaderboard_frame
from lithoflow.report.leaderboard_figure import plot_leaderboard


def main(smk) -> None:
    configure_logging(smk.log[0])
    runs = {
        run: read_json(path) for run, path in zip(smk.params.runs, smk.input.metrics, strict=True)
    }
    frame = leaderboard_frame(runs)
    write_csv(smk.output.table, frame)
    style = FigureStyle.from_config(smk.params.figures)
    save_figure(plot_leaderboard(frame, style), smk.output.figure, style)


run_rule(main, snakemake)
