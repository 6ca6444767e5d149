"""Rule lithology_distribution: class-imbalance report of the labels (independent of groups)."""

from lithoflow.dataset import read_dataset
from lithoflow.distribution import class_counts, imbalance_report
from lithoflow.io import write_csv, write_json
from lithoflow.logs import configure_logging


def main(smk) -> None:
    configure_logging(smk.log[0])
    counts = class_counts(read_dataset(smk.input.features).labels)
    table, summary = imbalance_report(counts, level="lithology")
    write_csv(smk.output.table, table)
    write_json(smk.output.summary, summary)


main(snakemake)
