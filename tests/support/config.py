"""Configs for tests, and the library's typed settings built from them the way the workflow does.

Every builder goes through the real validation (`lithoflow.settings.validate`: the schema, its
defaults, the cross-key checks), so tests construct settings exactly as a run would and state
only the keys they change.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from lithoflow.classifiers.boosting_settings import BoostingParams
from lithoflow.classifiers.spec import ClassifierSpec
from lithoflow.core.config import apply_schema_defaults
from lithoflow.core.figure_style import FigureStyle
from lithoflow.ingest.config import IngestConfig
from lithoflow.ingest.las import LasConfig
from lithoflow.settings import validate
from lithoflow.simulate.injection import InjectionConfig
from lithoflow.vae.config import VAEConfig
from lithoflow.validation.reconstruction import ReconstructionConfig

REPO_ROOT = Path(__file__).resolve().parents[2]
SNAKEFILE = REPO_ROOT / "Snakefile"
SNAKEMAKE = Path(sys.executable).parent / "snakemake"
SCHEMA = REPO_ROOT / "workflow" / "schemas" / "config.schema.yaml"
TINY_CONFIG = REPO_ROOT / "tests" / "config" / "tiny.yaml"


def load_default_config() -> dict[str, Any]:
    """The repository's config.yaml as a dict."""
    return yaml.safe_load((REPO_ROOT / "config.yaml").read_text())


def deep_update(base: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `base` with `overrides` merged in recursively (mappings merge, rest replaces)."""
    merged = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = deep_update(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def load_tiny_overrides() -> dict[str, Any]:
    """tests/config/tiny.yaml as a dict: only the keys a tiny run changes in config.yaml."""
    return yaml.safe_load(TINY_CONFIG.read_text())


def load_tiny_config() -> dict[str, Any]:
    """The complete config of a tiny run: config.yaml with tests/config/tiny.yaml merged over it,
    as `snakemake --configfile tests/config/tiny.yaml` merges it."""
    return deep_update(load_default_config(), load_tiny_overrides())


def tiny_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """tests/config/tiny.yaml (the simulator's tiny scale on the CPU with short training, which
    also works as `snakemake --configfile tests/config/tiny.yaml`), plus `overrides`."""
    return deep_update(load_tiny_config(), overrides or {})


def write_config(workdir: Path, config: Mapping[str, Any]) -> Path:
    """Write `config` to workdir/config.yaml and return its path."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(dict(config), sort_keys=False))
    return path


def snakemake_command(workdir: Path, *args: str) -> list[str]:
    """The command that runs the repository's Snakefile in `workdir` on the config that
    `write_config` wrote there, with `args` (options and targets) appended."""
    return [
        str(SNAKEMAKE),
        "--snakefile",
        str(SNAKEFILE),
        "--directory",
        str(workdir),
        "--configfile",
        str(workdir / "config.yaml"),
        *args,
    ]


def validated(config: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `config`, validated with the schema's defaults filled in (ConfigError if bad)."""
    copied = copy.deepcopy(dict(config))
    validate(copied, SCHEMA)
    return copied


def classifier_spec(
    name: str = "run", penalty_matrix: str | None = None, **run: Any
) -> ClassifierSpec:
    """A classifier run with the `run` keys set (and the classifiers section's
    `penalty_matrix`), every other setting the schema's default, filled in as the workflow fills
    it; the cross-key checks are left to the tests of them."""
    classifiers: dict[str, Any] = {"runs": {name: run}}
    if penalty_matrix is not None:
        classifiers["penalty_matrix"] = penalty_matrix
    section = with_defaults({"classifiers": classifiers})["classifiers"]
    return ClassifierSpec.from_config(section, name)


def boosting_params(**overrides: Any) -> BoostingParams:
    """config.yaml's gradient-boosting defaults with `overrides`."""
    return classifier_spec(model="gradient_boosting", gradient_boosting=overrides).gradient_boosting


def vae_config(**overrides: Any) -> VAEConfig:
    """config.yaml's v2_6_7 VAE with `overrides`."""
    config = load_default_config()
    config["vae"]["models"]["v2_6_7"].update(overrides)
    return VAEConfig.from_config(validated(config)["vae"]["models"]["v2_6_7"])


def figure_style(**overrides: Any) -> FigureStyle:
    """The schema's figure style with `overrides` (e.g. a low dpi for fast tests)."""
    config = {**load_default_config(), "figures": overrides}
    return FigureStyle.from_config(validated(config)["figures"])


def injection_config(**overrides: Any) -> InjectionConfig:
    """The schema's simulate.anomalies defaults with `overrides`."""
    config = load_default_config()
    config["simulate"]["anomalies"] = overrides
    return InjectionConfig.from_config(validated(config)["simulate"]["anomalies"])


def reconstruction_config(**validation: Any) -> ReconstructionConfig:
    """config.yaml's validation section with `validation` keys set, as ReconstructionConfig."""
    config = load_default_config()
    config["validation"].update(validation)
    return ReconstructionConfig.from_config(validated(config)["validation"])


def check_config(config: dict[str, Any]) -> list[str]:
    """Validate `config` in place as the workflow does; raise ConfigError listing every problem,
    or return the warnings."""
    return validate(config, SCHEMA)


def with_defaults(config: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a (possibly partial) config with the schema's defaults filled in, not validated:
    for tests that build one step's settings, or hand a step a value the schema would refuse."""
    copied = copy.deepcopy(dict(config))
    apply_schema_defaults(copied, SCHEMA)
    return copied


def ingest_config(config: Mapping[str, Any]) -> IngestConfig:
    """IngestConfig of a config holding ``data`` and ``ingest`` (schema defaults filled in)."""
    return IngestConfig.from_config(with_defaults(config))


def table_ingest_config(
    path: str | Path, label_column: str, features: Sequence[str], ingest: Mapping[str, Any]
) -> IngestConfig:
    """IngestConfig of a tidy table at `path` (columns well, depth, `label_column`, `features`)."""
    table = {
        "path": str(path),
        "borehole_column": "well",
        "depth_column": "depth",
        "label_column": label_column,
        "features": list(features),
    }
    return ingest_config({"data": {"source": "table", "table": table}, "ingest": dict(ingest)})


def las_section(las: Mapping[str, Any]) -> dict[str, Any]:
    """A ``data.las`` section with the schema's defaults filled in."""
    return with_defaults({"data": {"source": "las", "las": las}})["data"]["las"]


def las_config(las: Mapping[str, Any]) -> LasConfig:
    """LasConfig of a ``data.las`` section (schema defaults filled in)."""
    return LasConfig.from_config(
        with_defaults({"data": {"source": "las", "las": las}})["data"]["las"]
    )
