"""One classifier run of the config: its settings as a typed object, and their checks.

A run is a `classifiers.runs.<name>` entry merged over `classifiers.defaults` (`run_settings`;
a kind's own hyperparameters, e.g. `gradient_boosting`, are merged key by key). It names its
inputs (the raw features or a VAE's μ, optionally with a depth context set), its target
(lithology, expert `group`, or `data_group` of the data-driven hierarchy), its model kind
(`lithoflow.classifiers.kinds`), what it does with missing values, whether predictions are
smoothed along depth, and how it is evaluated (a fixed split with replicate seeds, or group
K-fold over every borehole).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from lithoflow.classifiers.boosting_settings import BoostingParams
from lithoflow.classifiers.interface import KindInfo
from lithoflow.classifiers.kinds import KINDS, kind_info, kind_problems, settings_keys
from lithoflow.classifiers.mlp_settings import MLPParams
from lithoflow.classifiers.search_space import search_problems
from lithoflow.core.errors import close_matches_text, format_list
from lithoflow.core.typed import build, given
from lithoflow.features.smoothing import SmoothingConfig

# Targets read through a label -> group mapping CSV (the rule's `hierarchy` input): the expert
# mapping, or the data-driven one (lithoflow.hierarchy.data_driven).
GROUP_TARGETS: tuple[str, ...] = ("group", "data_group")
RAW_INPUT = "raw"
EMBEDDING_INPUT = "embedding"
# The name of a rule input holding a depth context set a search may choose (+ the set's name).
CONTEXT_OPTION_PREFIX = "context_option_"


def run_settings(classifiers: Mapping[str, Any], run: str) -> dict[str, Any]:
    """A classifier run's settings over `classifiers.defaults` (a kind's own hyperparameters
    merged key by key, and kept only for runs of that kind), with `classifiers.penalty_matrix`
    for lithology targets."""
    defaults, settings = classifiers["defaults"], classifiers["runs"][run]
    merged = {**defaults, **settings}
    kind = KINDS.get(merged["model"])
    for key in settings_keys():
        merged.pop(key, None)
        if kind is not None and key == kind.settings_key:  # only its own runs depend on these
            merged[key] = {**(defaults.get(key) or {}), **(settings.get(key) or {})}
    if classifiers.get("penalty_matrix") and merged["target"] == "lithology":
        merged["penalty_matrix"] = classifiers["penalty_matrix"]
    return merged


@dataclass(frozen=True, kw_only=True)
class ClassifierSpec:
    """One classifier run: a `classifiers.runs` entry merged over `classifiers.defaults`.

    Every field comes from the validated config (`lithoflow.core.typed.build`); the ones with a
    default here are keys the schema leaves optional.
    """

    name: str = given()
    input: str
    target: str
    split: str
    class_weighting: str
    selection_metric: str
    hidden: tuple[int, ...]
    dropout: float
    learning_rate: float
    batch_size: int
    max_epochs: int
    patience: int
    seed: int
    scaler_fit: str
    model: str
    missing: str
    missing_indicators: bool
    replicates: int
    evaluation: str
    folds: int
    bootstrap: int
    vae: str | None = None  # embedding runs only
    penalty_matrix: str | None = None  # cost CSV for penalty_score (lithology targets only)
    context: str | None = None
    smoothing: SmoothingConfig | None = None
    gradient_boosting: BoostingParams | None = None
    search: dict[str, Any] | None = None  # a search of the run's settings (search.py)
    ensemble: dict[str, Any] | None = None  # members whose probabilities it averages
    cv_pool: str | None = None  # group K-fold over: every borehole (None), or "train_val"

    @classmethod
    def from_config(cls, classifiers: Mapping[str, Any], run: str) -> ClassifierSpec:
        """Merge `classifiers.runs[run]` over `classifiers.defaults`."""
        return cls.from_merged(run, run_settings(classifiers, run))

    @classmethod
    def from_merged(cls, name: str, merged: Mapping[str, Any]) -> ClassifierSpec:
        """Build from a run's settings already merged over the defaults (`run_settings`)."""
        return build(cls, merged, f"classifiers.runs.{name}", name=name)

    @property
    def kind(self) -> KindInfo:
        """The registry entry of the run's model kind."""
        return kind_info(self.model)

    @property
    def mlp(self) -> MLPParams:
        return MLPParams(
            hidden=self.hidden,
            dropout=self.dropout,
            learning_rate=self.learning_rate,
            batch_size=self.batch_size,
            max_epochs=self.max_epochs,
            patience=self.patience,
            selection_metric=self.selection_metric,
        )

    @property
    def context_source(self) -> str | None:
        """Whose depth context the run joins: "raw" (the dataset) or its VAE's name; None
        without context."""
        if self.context is None:
            return None
        return self.vae if self.input == EMBEDDING_INPUT and self.vae else RAW_INPUT

    @property
    def is_ensemble(self) -> bool:
        """An ensemble of other runs: nothing to train, its members' probabilities averaged."""
        return self.ensemble is not None

    @property
    def uses_split(self) -> bool:
        """Split evaluation reads the split's parts, and so does group K-fold over the split's
        train and val boreholes; group K-fold over every borehole reads the whole dataset."""
        return self.evaluation == "split" or self.cv_pool == "train_val"

    @property
    def fits(self) -> int:
        """How many models the run fits: its replicates, times its folds under K-fold."""
        return self.replicates * (self.folds if self.evaluation == "group_kfold" else 1)

    @property
    def priority(self) -> int:
        """Estimated seconds of the run on one core, for job ordering (longest first)."""
        plain, with_context = self.kind.seconds_per_fit
        return round((with_context if self.context else plain) * self.fits)

    def to_dict(self) -> dict[str, Any]:
        payload = asdict(self)
        payload["hidden"] = list(self.hidden)
        if payload["penalty_matrix"] is None:
            del payload["penalty_matrix"]
        if self.smoothing is not None:
            payload["smoothing"] = asdict(self.smoothing)
        if self.gradient_boosting is not None:
            payload["gradient_boosting"] = self.gradient_boosting.to_dict()
        for key in ("search", "ensemble", "cv_pool"):
            if payload[key] is None:
                del payload[key]  # runs without them keep the record they had
        return payload


def spec_settings(spec: ClassifierSpec) -> dict[str, Any]:
    """A spec back as its merged settings (what `ClassifierSpec.from_merged` reads)."""
    payload = spec.to_dict()
    del payload["name"]
    return {key: value for key, value in payload.items() if value is not None}


def classifier_problems(config: Mapping[str, Any]) -> Iterator[str]:
    """Every run's references (split, VAE, context set, hierarchy), kind and evaluation."""
    classifiers = config["classifiers"]
    methods = sorted(config["splits"]["methods"])
    vaes = sorted((config.get("vae") or {}).get("models") or {})
    sets = sorted((config.get("context") or {}).get("sets") or {})
    merged = {name: run_settings(classifiers, name) for name in classifiers["runs"]}
    yield from ensemble_problems(merged)
    for name, own in classifiers["runs"].items():
        run = merged[name]
        key = f"classifiers.runs.{name}"
        if run["split"] not in methods:
            yield (
                f"config key {key}.split: {run['split']!r} is not in splits.methods "
                f"({format_list(methods)})"
            )
        if run["input"] == EMBEDDING_INPUT:
            if "vae" not in run:
                yield f"config key {key}.vae: an embedding classifier must name a VAE model"
            elif run["vae"] not in vaes:
                known = format_list(vaes) if vaes else "none: the config has no vae section"
                yield f"config key {key}.vae: {run['vae']!r} is not one of vae.models ({known})"
            if "scaler_fit" in own:  # set on the run itself (the defaults' value is fine)
                yield (
                    f"config key {key}.scaler_fit: an embedding run uses the VAE's mu as it is "
                    "(no scaler); remove the key"
                )
        elif "vae" in run:
            yield (
                f"config key {key}.vae: a run with input 'raw' uses no VAE; remove the key "
                "(or set input: embedding)"
            )
        if run["target"] == "group" and config.get("hierarchy") is None:
            yield (
                f"config key {key}.target: 'group' needs the expert lithology groups; add a "
                "hierarchy section (or use target: lithology)"
            )
        yield from kind_problems(run, own, key)
        yield from search_problems(run, key, settings_keys())
        context = run.get("context")
        if context and context not in sets:
            yield (
                f"config key {key}.context: {context!r} is not one of context.sets "
                f"({format_list(sets)}){close_matches_text(context, sets)}"
            )
        if own.get("missing_indicators") and run.get("missing") != "impute":
            yield f"config key {key}.missing_indicators: only used with missing: impute"
        if run.get("evaluation") == "group_kfold" and own.get("bootstrap"):
            yield (
                f"config key {key}.bootstrap: the borehole bootstrap is for split evaluation; "
                "group_kfold gives intervals over its folds"
            )


# What an ensemble's members must share for their units to test the same rows.
ENSEMBLE_SHARED = ("target", "split", "evaluation", "replicates", "folds", "seed")


def ensemble_problems(runs: Mapping[str, Mapping[str, Any]]) -> Iterator[str]:
    """Members exist, are not ensembles themselves, and share the ensemble's settings that
    decide which rows each unit tests (`ENSEMBLE_SHARED`)."""
    for name, run in runs.items():
        ensemble = run.get("ensemble")
        if not ensemble:
            continue
        key = f"config key classifiers.runs.{name}.ensemble.members"
        for member in ensemble["members"]:
            if member not in runs:
                yield f"{key}: {member!r} is not one of classifiers.runs ({format_list(runs)})"
                continue
            if runs[member].get("ensemble"):
                yield f"{key}: {member!r} is an ensemble itself"
                continue
            differing = [k for k in ENSEMBLE_SHARED if runs[member].get(k) != run.get(k)]
            if differing:
                yield (
                    f"{key}: {member!r} differs from the ensemble in {format_list(differing)}; "
                    "members must test the same rows (same target, split, evaluation, "
                    "replicates, folds and seed)"
                )
        if run.get("search"):
            yield (
                f"config key classifiers.runs.{name}.search: an ensemble has no settings of its "
                "own to search"
            )


def data_group_problems(config: Mapping[str, Any]) -> Iterator[str]:
    """Target data_group needs the data-driven hierarchy; each pair of
    report.hierarchy_comparisons is one recipe with target group, then data_group."""
    classifiers = config["classifiers"]
    hierarchy = config.get("hierarchy")
    enabled = bool(hierarchy and (hierarchy.get("data_driven") or {}).get("enabled"))
    runs = {name: run_settings(classifiers, name) for name in classifiers["runs"]}
    targets = {name: run["target"] for name, run in runs.items()}
    for name, target in targets.items():
        if target == "data_group" and not enabled:
            yield (
                f"config key classifiers.runs.{name}.target: 'data_group' needs the data-driven "
                "hierarchy; set hierarchy.data_driven.enabled: true"
            )
    for i, pair in enumerate((config.get("report") or {}).get("hierarchy_comparisons") or []):
        key = f"config key report.hierarchy_comparisons[{i}]"
        unknown = [name for name in pair if name not in targets]
        if unknown:
            yield (
                f"{key}: {format_list(unknown)} not in classifiers.runs "
                f"({format_list(sorted(targets))})"
            )
            continue
        if [targets[name] for name in pair] != ["group", "data_group"]:
            yield f"{key}: needs a run with target group, then one with target data_group"
            continue
        a, b = (runs[name] for name in pair)
        differing = sorted(k for k in set(a) | set(b) if k != "target" and a.get(k) != b.get(k))
        if differing:
            yield (
                f"{key}: the runs must differ in target only; they differ in "
                f"{format_list(differing)}"
            )


def embedding_run_for(vae: str, runs: Mapping[str, Mapping[str, Any]], target: str) -> str | None:
    """The first classifier run (config order) with input embedding of `vae` and `target`."""
    for name, run in runs.items():
        embedding = run.get("input") == EMBEDDING_INPUT
        if embedding and run.get("vae") == vae and run["target"] == target:
            return name
    return None
