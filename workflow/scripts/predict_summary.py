"""Rule predict_summary: every predicted borehole summarised, scored where labelled, and drawn."""

from lithoflow.core.figure_style import FigureStyle
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.predict.apply import summarize_prediction


def main(smk) -> None:
    configure_logging(smk.log[0])
    summarize_prediction(
        tables=list(smk.input.tables),
        reports=list(smk.input.reports),
        run_dir=smk.params.run_dir,
        penalty_path=smk.input.get("penalty_matrix"),
        training_boreholes_path=smk.input.training,
        n_resamples=smk.params.bootstrap,
        seed=smk.params.seed,
        outputs=dict(smk.output.items()),
        style=FigureStyle.from_config(smk.params.figures),
    )


run_rule(main, snakemake)
