"""Rule model_card: the card of the model a prediction applies (Markdown and JSON)."""

from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.predict.apply import write_model_card


def main(smk) -> None:
    configure_logging(smk.log[0])
    write_model_card(
        run_dir=smk.params.run_dir,
        run=smk.params.run,
        which=smk.params.model,
        markdown_path=smk.output.markdown,
        json_path=smk.output.json,
    )


run_rule(main, snakemake)
