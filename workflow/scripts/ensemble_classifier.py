"""Rule ensemble_classifier: an ensemble run's probabilities (its members' mean) scored."""

from pathlib import Path

from lithoflow.classifiers.ensemble import evaluate_ensemble
from lithoflow.classifiers.spec import ClassifierSpec
from lithoflow.core.logs import configure_logging, run_rule
from lithoflow.core.provenance import build_provenance, write_provenance
from lithoflow.stats.metrics import read_penalty_matrix


def main(smk) -> None:
    configure_logging(smk.log[0])
    spec = ClassifierSpec.from_merged(smk.wildcards.run, smk.params.spec)
    members = {
        m: str(Path(p).parent) for m, p in zip(smk.params.members, smk.input.metrics, strict=True)
    }
    penalty_path = smk.input.get("penalty_matrix")
    evaluate_ensemble(
        name=spec.name,
        members=members,
        output_dir=Path(smk.output.metrics).parent,
        penalty=read_penalty_matrix(penalty_path) if penalty_path else None,
        penalty_path=penalty_path or "",
        bootstrap=spec.bootstrap,
        seed=spec.seed,
    )
    record = build_provenance(
        step="ensemble_classifier",
        config=smk.config,
        settings={"spec": spec.to_dict()},
        device="none (no training)",
        workflow_dir=smk.scriptdir,
    )
    write_provenance(smk.output.provenance, record)


run_rule(main, snakemake)
