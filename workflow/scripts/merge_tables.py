"""Rule merge_tables: inner-join the binned tables in config order, filter, write the dataset."""

import logging

import pandas as pd

from lithoflow.core.dataset import read_dataset
from lithoflow.core.io import read_json
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.ingest.config import IngestConfig
from lithoflow.ingest.merge import (
    format_report,
    merge_tables,
    unlabelled_bins,
    write_merged,
    write_unlabelled,
)

logger = logging.getLogger("lithoflow.rules.merge_tables")


def main(smk) -> None:
    configure_logging(smk.log[0])
    config = IngestConfig.from_config(smk.params.config)
    names = config.table_names
    binned = [read_dataset(path) for path in smk.input.tables]
    reports = {name: read_json(path) for name, path in zip(names, smk.input.reports, strict=True)}
    paths = dict(zip(names, smk.input.tables, strict=True))
    merged = merge_tables(binned, config, reports, paths)
    logger.info("ingestion report:\n%s", format_report(merged.report))
    write_merged(merged, config, smk.output.table, smk.output.report)
    write_unlabelled(
        unlabelled_bins(merged, config, [pd.read_parquet(p) for p in smk.input.unlabelled]),
        smk.output.unlabelled,
    )


run_rule(main, snakemake)
