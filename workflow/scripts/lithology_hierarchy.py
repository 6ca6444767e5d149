"""Rule lithology_hierarchy: map every label of the dataset to a lithology group."""

from lithoflow.core.dataset import read_dataset
from lithoflow.core.io import write_csv
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.hierarchy.mapping import HierarchyRules, build_hierarchy


def main(smk) -> None:
    configure_logging(smk.log[0])
    rules = HierarchyRules.from_config(smk.params.hierarchy)
    labels = read_dataset(smk.input.features).labels
    write_csv(smk.output.mapping, build_hierarchy(labels, rules))


run_rule(main, snakemake)
