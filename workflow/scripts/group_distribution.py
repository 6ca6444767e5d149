"""Rule group_distribution: class-imbalance report of the lithology groups."""

from lithoflow.core.io import write_csv, write_json
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.hierarchy.mapping import GROUP_COLUMN, read_hierarchy_table
from lithoflow.splits.distribution import imbalance_report


def main(smk) -> None:
    configure_logging(smk.log[0])
    mapping = read_hierarchy_table(smk.input.hierarchy)
    counts = mapping.groupby(GROUP_COLUMN)["Count"].sum()
    table, summary = imbalance_report(counts, level="group")
    write_csv(smk.output.table, table)
    write_json(smk.output.summary, summary)


run_rule(main, snakemake)
