"""Rule split_boreholes: assign whole boreholes to train/val/test and write each part's rows."""

from lithoflow.core.dataset import read_dataset, write_dataset
from lithoflow.core.logs import configure_logging
from lithoflow.splits.methods import SplitConfig, assign_boreholes, split_frame, split_metadata


def main(smk) -> None:
    configure_logging(smk.log[0])
    config = SplitConfig.from_parameters(smk.params.split)
    dataset = read_dataset(smk.input.features)
    parts = split_frame(dataset.frame, assign_boreholes(dataset.frame, config))
    for part, frame in parts.items():
        metadata = {**dataset.metadata, "split": split_metadata(config, part)}
        write_dataset(smk.output[part], frame, dataset.features, metadata)


main(snakemake)
