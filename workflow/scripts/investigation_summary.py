"""Rule investigation_summary: the run's numbers beside the investigation's, as Markdown."""

from lithoflow.core.io import atomic_path, write_json
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.report.plan import figure_links
from lithoflow.report.summary import build_summary, read_inputs


def named_files(smk) -> dict[str, str]:
    """Source name (see lithoflow.report.ReportInputs) -> input file."""
    files = {
        "reference": smk.input.reference,
        "ingest": smk.input.ingest,
        "lithology_distribution": smk.input.lithology_distribution,
        "group_distribution": smk.input.group_distribution,
        "mismatch": smk.input.mismatch,
        "hierarchy": smk.input.hierarchy,
        "vae_comparison": smk.input.vae_comparison,
    }
    if smk.input.realism:  # simulated data only
        files["realism"] = smk.input.realism[0]
    if smk.input.data_driven:  # hierarchy.data_driven.enabled only
        files["data_driven"] = smk.input.data_driven[0]
    names = smk.params.names
    for kind, key in (
        ("split", "split_reports"),
        ("metrics", "classifier_metrics"),
        ("classifier", "classifier_configs"),
        ("vae", "vae_configs"),
        ("history", "vae_histories"),
        ("reconstruction", "reconstruction"),
    ):
        for name, path in zip(names[key], getattr(smk.input, key), strict=True):
            files[f"{kind}:{name}"] = path
    return files


def main(smk) -> None:
    configure_logging(smk.log[0])
    inputs = read_inputs(named_files(smk), smk.params.config)
    figures = figure_links(smk.params.figures, smk.output.summary)
    summary = build_summary(inputs, figures)
    with atomic_path(smk.output.summary) as tmp:
        tmp.write_text(summary.markdown)
    write_json(smk.output.numbers, summary.trace())


run_rule(main, snakemake)
