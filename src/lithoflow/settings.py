"""The whole config as one object: validated once, every section typed, optional parts known.

`validate` runs the schema and every section's cross-key check (each defined beside the settings
it checks) and reports all problems at once (`lithoflow.core.config.validate_config`).
`Settings.from_config` then gives the workflow's rules what they ask about the config: which
tables, splits, VAEs, classifier runs (`ClassifierSpec`, whose kind comes from the registry) and
context sets exist, and which optional parts of the workflow are on. The hierarchy, the VAEs,
their validation, the anomaly detection and the investigation report are optional sections:
`config.yaml` (the LILY investigation preset) has them all; a config that only trains
classifiers leaves them out, and their jobs leave the DAG.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lithoflow.classifiers.kinds import KINDS
from lithoflow.classifiers.spec import (
    ClassifierSpec,
    classifier_problems,
    data_group_problems,
)
from lithoflow.core.compute_settings import compute_warnings
from lithoflow.core.config import Check, property_defaults, validate_config
from lithoflow.features.context import ContextConfig
from lithoflow.features.scaling import scaling_problems
from lithoflow.hierarchy.settings import data_driven_problems
from lithoflow.ingest.config import LAS_TABLE, TIDY_TABLE, ingest_problems
from lithoflow.predict.settings import (
    SOURCES,
    PredictSettings,
    fill_source_defaults,
    predict_problems,
)
from lithoflow.report.settings import report_problems
from lithoflow.simulate.settings import anomaly_problems
from lithoflow.splits.methods import split_problems
from lithoflow.vae.config import VAEConfig, vae_problems
from lithoflow.validation.settings import validation_problems

# Every section's cross-key check, in the order their problems are listed.
CHECKS: tuple[Check, ...] = (
    ingest_problems,
    scaling_problems,
    split_problems,
    vae_problems,
    classifier_problems,
    data_driven_problems,
    data_group_problems,
    anomaly_problems,
    validation_problems,
    report_problems,
    predict_problems,
)
WARNINGS: tuple[Check, ...] = (compute_warnings,)


def validate(config: dict[str, Any], schema_path: str | Path) -> list[str]:
    """Validate `config` in place (schema defaults filled in); raise one ConfigError listing
    every problem, or return the warnings."""
    warnings = validate_config(config, schema_path, CHECKS, WARNINGS)
    # predict.data.<source> inherits data.<source>; where training read another source, the
    # schema's defaults of data.<source> stand in for what it would inherit.
    fill_source_defaults(
        config, {source: property_defaults(schema_path, "data", source) for source in SOURCES}
    )
    return warnings


@dataclass(frozen=True)
class Settings:
    """What the workflow's rules ask of a validated config."""

    source: str
    tables: tuple[str, ...]
    split_methods: tuple[str, ...]
    vaes: dict[str, VAEConfig]
    classifiers: dict[str, ClassifierSpec]
    context_sets: dict[str, ContextConfig]
    hierarchy: bool  # the expert hierarchy (section hierarchy)
    data_driven: bool  # the data-driven hierarchy (hierarchy.data_driven.enabled)
    validation: bool  # the VAE's validation (section validation)
    anomalies: bool  # anomaly detection (validation.anomalies)
    report: bool  # the investigation summary (section report)
    reconstruction_scopes: tuple[str, ...]
    predict: PredictSettings | None  # classifying new boreholes (section predict)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """Build from a config that passed `validate`."""
        source = config["data"]["source"]
        one_table = source in (TIDY_TABLE, LAS_TABLE)
        tables = (source,) if one_table else tuple(config["ingest"]["tables"])
        hierarchy = config.get("hierarchy")
        validation = config.get("validation")
        classifiers = config["classifiers"]
        return cls(
            source=source,
            tables=tables,
            split_methods=tuple(config["splits"]["methods"]),
            vaes={
                name: VAEConfig.from_config(model, f"vae.models.{name}")
                for name, model in ((config.get("vae") or {}).get("models") or {}).items()
            },
            classifiers={
                name: ClassifierSpec.from_config(classifiers, name) for name in classifiers["runs"]
            },
            context_sets={
                name: ContextConfig.from_config(section)
                for name, section in config["context"]["sets"].items()
            },
            hierarchy=hierarchy is not None,
            data_driven=bool(hierarchy and (hierarchy.get("data_driven") or {}).get("enabled")),
            validation=validation is not None,
            anomalies=bool(validation and validation.get("anomalies") is not None),
            report=config.get("report") is not None,
            reconstruction_scopes=tuple((validation or {}).get("reconstruction_scopes") or ()),
            predict=PredictSettings.from_config(config) if config.get("predict") else None,
        )

    def runs_of_kind(self, kind: str) -> list[str]:
        """The classifier runs whose model is `kind`, in config order."""
        return [
            name
            for name, spec in self.classifiers.items()
            if spec.model == kind and not spec.is_ensemble
        ]

    @property
    def ensembles(self) -> list[str]:
        """The ensemble runs, in config order."""
        return [name for name, spec in self.classifiers.items() if spec.is_ensemble]

    @property
    def kinds(self) -> list[str]:
        """Every registered classifier kind (each has its training rule, used or not)."""
        return list(KINDS)

    @property
    def context_sources(self) -> list[str]:
        """What depth context can be computed on: the raw features and each VAE's μ."""
        return ["raw", *self.vaes]
