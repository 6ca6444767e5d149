"""Rule simulate_lily: write the simulated raw LILY tables (GRA, MS, NGR, RGB)."""

import os
from pathlib import Path

from lithoflow.core.logs import configure_logging
from lithoflow.simulate import simulate_lily


def main(smk) -> None:
    configure_logging(smk.log[0])
    targets = {table: Path(path) for table, path in smk.output.items()}
    out_dir = next(iter(targets.values())).parent
    written = simulate_lily(out_dir, scale=smk.params.scale, seed=int(smk.params.seed))
    # The configured file names (ingest.tables.<table>.file) may differ from LILY's.
    for table, target in targets.items():
        if written[table] != target:
            os.replace(written[table], target)


main(snakemake)
