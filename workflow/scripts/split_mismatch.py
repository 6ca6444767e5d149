"""Rule split_mismatch: compare the class make-up of every configured split method's parts."""

import pandas as pd

from lithoflow.core.dataset import read_dataset
from lithoflow.core.io import write_csv, write_json
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.hierarchy.mapping import read_mapping
from lithoflow.splits.mismatch import compare_methods


def main(smk) -> None:
    configure_logging(smk.log[0])
    labels: dict[str, dict[str, pd.Series]] = {}
    boreholes: dict[str, dict[str, pd.Series]] = {}
    for path in smk.input.parts:
        dataset = read_dataset(path)
        split = dataset.metadata["split"]
        labels.setdefault(split["method"], {})[split["part"]] = dataset.labels
        boreholes.setdefault(split["method"], {})[split["part"]] = dataset.boreholes
    # Groups are reported when the config has an expert hierarchy.
    label_to_group = read_mapping(smk.input.hierarchy) if "hierarchy" in smk.input.keys() else None
    table, summary = compare_methods(
        labels, label_to_group, boreholes, min_test_rows=smk.params.min_test_rows
    )
    write_csv(smk.output.table, table)
    write_json(smk.output.summary, summary)


run_rule(main, snakemake)
