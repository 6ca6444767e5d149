"""Rule predict_borehole: one new borehole's lithology log (table, LAS, log plot, report)."""

from lithoflow.core.device import ComputeConfig, prepare_device
from lithoflow.core.figure_style import FigureStyle
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.predict.apply import predict_file


def main(smk) -> None:
    configure_logging(smk.log[0])
    device = prepare_device(ComputeConfig.from_config({"device": "cpu"}, threads=smk.threads))
    predict_file(
        source=smk.input.source,
        borehole=smk.wildcards.borehole,
        run_dir=smk.params.run_dir,
        run=smk.params.run,
        which=smk.params.model,
        data=smk.params.data,
        bin_size_m=smk.params.bin_size_m,
        training_boreholes_path=smk.input.training,
        outputs=dict(smk.output.items()),
        style=FigureStyle.from_config(smk.params.figures),
        device=device,
        filters=smk.params.filters,
    )


run_rule(main, snakemake)
