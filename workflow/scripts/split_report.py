"""Rule split_report: boreholes, rows, entropies, divergences and missing classes of a split."""

from lithoflow.core.dataset import read_dataset
from lithoflow.core.io import write_json
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.hierarchy.mapping import read_mapping
from lithoflow.splits.methods import PARTS
from lithoflow.splits.statistics import split_report


def main(smk) -> None:
    configure_logging(smk.log[0])
    datasets = {part: read_dataset(smk.input[part]) for part in PARTS}
    parameters = datasets["train"].metadata["split"]["parameters"]
    # Groups are reported when the config has an expert hierarchy.
    label_to_group = read_mapping(smk.input.hierarchy) if "hierarchy" in smk.input.keys() else None
    parts = {part: dataset.frame for part, dataset in datasets.items()}
    write_json(smk.output.report, split_report(parts, parameters, label_to_group))


run_rule(main, snakemake)
