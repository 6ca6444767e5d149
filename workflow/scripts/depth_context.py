"""Rule depth_context: neighbour, gradient and window features along depth, once per source."""

from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.features.context import ContextConfig, build_context_file


def main(smk) -> None:
    configure_logging(smk.log[0])
    build_context_file(
        smk.input.table,
        smk.output.table,
        smk.wildcards.source,
        ContextConfig.from_config(smk.params.settings),
        smk.input.get("unlabelled"),
    )


run_rule(main, snakemake)
