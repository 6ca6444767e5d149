"""Rule split_boreholes: assign whole boreholes to train/val/test and write each part's rows."""

from lithoflow.core.dataset import read_dataset, write_dataset
from lithoflow.core.io import read_json
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.splits.methods import (
    SplitConfig,
    assign_boreholes,
    dropped_boreholes,
    split_frame,
    split_metadata,
)


def main(smk) -> None:
    configure_logging(smk.log[0])
    config = SplitConfig.from_parameters(smk.params.split)
    dataset = read_dataset(smk.input.features)
    dropped = dropped_boreholes(read_json(smk.input.report))
    parts = split_frame(dataset.frame, assign_boreholes(dataset.frame, config, dropped))
    for part, frame in parts.items():
        metadata = {**dataset.metadata, "split": split_metadata(config, part)}
        write_dataset(smk.output[part], frame, dataset.features, metadata)


run_rule(main, snakemake)
