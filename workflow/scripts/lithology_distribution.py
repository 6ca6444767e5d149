"""Rule lithology_distribution: class-imbalance report of the labels (independent of groups)."""

from lithoflow.core.dataset import read_dataset
from lithoflow.core.io import write_csv, write_json
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.splits.distribution import class_counts, imbalance_report


def main(smk) -> None:
    configure_logging(smk.log[0])
    counts = class_counts(read_dataset(smk.input.features).labels)
    table, summary = imbalance_report(counts, level="lithology")
    write_csv(smk.output.table, table)
    write_json(smk.output.summary, summary)


run_rule(main, snakemake)
