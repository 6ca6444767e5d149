"""Rule predict_split_table: each borehole's rows of the predict table in its own file."""

from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.predict.table import split_table


def main(smk) -> None:
    configure_logging(smk.log[0])
    split_table(smk.params.table, dict(zip(smk.params.boreholes, smk.output, strict=True)))


run_rule(main, snakemake)
