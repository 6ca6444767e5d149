"""Rule bin_table: read one raw table (needed columns only) and bin it to the dataset contract."""

import logging

import pyarrow as pa

from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.ingest.config import IngestConfig
from lithoflow.ingest.tables import bin_table, write_binned_table

logger = logging.getLogger("lithoflow.rules.bin_table")


def main(smk) -> None:
    configure_logging(smk.log[0])
    pa.set_cpu_count(max(1, smk.threads))  # threads of pyarrow's CSV reader
    config = IngestConfig.from_config(smk.params.config)
    binned = bin_table(smk.input.raw, config, smk.wildcards.table, use_threads=smk.threads > 1)
    write_binned_table(binned, smk.output.table, smk.output.report, smk.output.unlabelled)


run_rule(main, snakemake)
