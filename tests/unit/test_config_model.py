"""The config model: the schema states every default once; kinds come from one registry; the
package's folders import each other one way only."""

from __future__ import annotations

import ast
import dataclasses
import subprocess

import pytest

from lithoflow.classifiers.boosting_settings import BoostingParams
from lithoflow.classifiers.kinds import KINDS
from lithoflow.classifiers.spec import ClassifierSpec
from lithoflow.core.device import ComputeConfig
from lithoflow.core.errors import ConfigError
from lithoflow.core.figure_style import FigureStyle
from lithoflow.core.typed import build, stated_defaults
from lithoflow.features.context import ContextConfig
from lithoflow.features.scaling import ScalingConfig
from lithoflow.features.smoothing import SmoothingConfig
from lithoflow.hierarchy.data_driven import DataDrivenConfig
from lithoflow.ingest.config import IngestConfig
from lithoflow.ingest.las import LasConfig
from lithoflow.simulate.injection import InjectionConfig
from lithoflow.vae.config import VAEConfig
from lithoflow.validation.anomalies import AnomalyConfig
from lithoflow.validation.reconstruction import ReconstructionConfig
from tests.support.config import REPO_ROOT, check_config, load_default_config
from tests.support.workflow_rules import start_imports

PACKAGE = REPO_ROOT / "src" / "lithoflow"
# Folders of the package in the order imports may run (a folder imports only earlier ones).
LAYERS = (
    ("core",),
    ("stats", "features"),
    ("ingest", "splits", "hierarchy", "simulate"),
    ("training",),
    ("vae",),
    ("classifiers",),
    ("validation",),
    ("report", "predict"),
)

SETTINGS_CLASSES = (
    BoostingParams,
    ClassifierSpec,
    ComputeConfig,
    ContextConfig,
    DataDrivenConfig,
    FigureStyle,
    IngestConfig,
    InjectionConfig,
    LasConfig,
    ReconstructionConfig,
    ScalingConfig,
    SmoothingConfig,
    VAEConfig,
    AnomalyConfig,
)


@pytest.mark.parametrize("cls", SETTINGS_CLASSES, ids=lambda c: c.__name__)
def test_settings_classes_state_no_default_of_their_own(cls) -> None:
    # A default in Python would be a second place stating it; only optional keys (None or
    # empty when the config leaves them out) may have one.
    assert stated_defaults(cls) == {}


def test_build_converts_types_and_names_a_missing_key() -> None:
    spec = build(SmoothingConfig, {"method": "mode", "window_m": 1, "max_gap_m": 2}, "s")
    assert spec == SmoothingConfig(method="mode", window_m=1.0, max_gap_m=2.0)
    with pytest.raises(ConfigError, match=r"config key s\.window_m: required"):
        build(SmoothingConfig, {"method": "mode", "max_gap_m": 2}, "s")


def test_schema_defaults_reach_a_run_that_sets_only_its_differences() -> None:
    config = load_default_config()
    config["classifiers"] = {"runs": {"plain": {"model": "gradient_boosting"}}}
    for section in ("vae", "validation", "report", "hierarchy"):
        config.pop(section)
    check_config(config)
    spec = ClassifierSpec.from_config(config["classifiers"], "plain")
    assert (spec.input, spec.target, spec.split, spec.missing) == (
        "raw",
        "lithology",
        "random",
        "drop",
    )
    assert spec.gradient_boosting is not None and spec.gradient_boosting.subsample == 1.0


def test_a_run_overriding_one_boosting_key_keeps_the_other_defaults() -> None:
    # The schema used to fill a run's own partial gradient_boosting block with its defaults,
    # which then overrode classifiers.defaults (subsample 0.5 silently became 1.0).
    config = load_default_config()
    for run in ("boosting", "boosting_data_group"):  # a hierarchy comparison: differ in target only
        config["classifiers"]["runs"][run]["gradient_boosting"] = {"max_iter": 50}
    check_config(config)
    spec = ClassifierSpec.from_config(config["classifiers"], "boosting")
    assert spec.gradient_boosting.max_iter == 50
    assert (
        spec.gradient_boosting.subsample
        == config["classifiers"]["defaults"]["gradient_boosting"]["subsample"]
        == 0.5
    )


def test_an_unknown_model_kind_is_refused_with_the_known_kinds() -> None:
    config = load_default_config()
    config["classifiers"]["runs"]["direct"]["model"] = "gradient_bosting"
    with pytest.raises(ConfigError) as caught:
        check_config(config)
    message = str(caught.value)
    assert "classifiers.runs.direct.model: 'gradient_bosting' is not a classifier kind" in message
    assert "did you mean 'gradient_boosting'" in message


def test_kind_names_appear_only_in_the_registry_and_each_kinds_module() -> None:
    found = subprocess.run(
        ["git", "grep", "-n", '"mlp"', "--", "src", "workflow", "Snakefile"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    own_modules = tuple(f"src/lithoflow/classifiers/{name}.py:" for name in ("mlp", "mlp_settings"))
    assert [line for line in found if not line.startswith(own_modules)] == []
    assert set(KINDS) == {"mlp", "gradient_boosting"}
    assert {info.weights_file for info in KINDS.values()} == {"model.pt", "model.skops"}


def _folder_imports() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if len(relative.parts) < 2:
            continue
        folder = relative.parts[0]
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "lithoflow" and len(parts) > 1 and parts[1] != folder:
                    edges.setdefault(folder, set()).add(parts[1])
    return edges


def test_folders_import_one_way_only() -> None:
    rank = {folder: i for i, layer in enumerate(LAYERS) for folder in layer}
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders - {"data"} <= set(rank), "a new folder needs its place in LAYERS"
    upward = [
        f"{source} -> {target}"
        for source, targets in _folder_imports().items()
        for target in targets
        if target in rank and rank[target] >= rank[source] and target != source
    ]
    assert upward == []


def test_no_folder_holds_more_than_a_quarter_of_the_library() -> None:
    lines = {
        folder.name: sum(len(p.read_text().splitlines()) for p in folder.rglob("*.py"))
        for folder in PACKAGE.iterdir()
        if folder.is_dir()
    }
    total = sum(lines.values()) + sum(len(p.read_text().splitlines()) for p in PACKAGE.glob("*.py"))
    assert max(lines.values()) <= total / 4, lines


def test_settings_dataclasses_are_frozen() -> None:
    for cls in SETTINGS_CLASSES:
        assert dataclasses.fields(cls) and cls.__dataclass_params__.frozen, cls.__name__


def test_starting_the_workflow_imports_no_model_or_plotting_library() -> None:
    """Every `snakemake` call (each cluster job too) runs the imports of common.smk: they check
    the config and list the boreholes, and must not load torch or scikit-learn to do so (that
    took 6 of a start's 9 seconds)."""
    record = start_imports()
    assert record["statements"] >= 5, record
    assert record["heavy_libraries"] == [], record
