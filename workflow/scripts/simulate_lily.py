"""Rule simulate_lily: write the simulated raw LILY tables (GRA, MS, NGR, RGB) and the truth table
of the anomalous intervals injected into them."""

import os
from pathlib import Path

from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.simulate.injection import InjectionConfig
from lithoflow.simulate.lily import TABLES, simulate_lily


def main(smk) -> None:
    configure_logging(smk.log[0])
    targets = {table: Path(path) for table, path in smk.output.items() if table in TABLES}
    out_dir = next(iter(targets.values())).parent
    written = simulate_lily(
        out_dir,
        scale=smk.params.scale,
        seed=int(smk.params.seed),
        injection=InjectionConfig.from_config(smk.params.anomalies),
        truth_path=smk.output.anomaly_truth,
    )
    # The configured file names (ingest.tables.<table>.file) may differ from LILY's.
    for table, target in targets.items():
        if written[table] != target:
            os.replace(written[table], target)


run_rule(main, snakemake)
