"""Validation of the Snakemake config: the schema once, then the rules JSON Schema cannot express.

`validate_config` is the one entry point the workflow calls. It

1. checks keys, types and ranges against `workflow/schemas/config.schema.yaml` and lists every
   violation by dotted key (`schema_errors`);
2. fills in the schema's ``default`` values for keys the config leaves out
   (`apply_schema_defaults`), so the library reads every setting from the validated config and
   repeats no default;
3. checks how values relate to each other (`config_problems`: fractions sum to 1, names refer to
   things that exist, no key is set that the run would ignore) and lists EVERY problem at once;
4. returns the warnings (`config_warnings`): settings that are harmless but probably unintended.

The rules shared with the library's config dataclasses (`fractions_problem`, `bands_problem`) are
defined here only, and the dataclasses call them.
"""

from __future__ import annotations

import copy
import difflib
import math
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from lithoflow.core.errors import ConfigError, format_list

# The key of ingest.valid_ranges that bounds the raw depth column (the other keys are features).
DEPTH_RANGE_KEY = "depth_m"


def load_schema(schema_path: str | Path) -> dict[str, Any]:
    """The config schema as a dict."""
    return yaml.safe_load(Path(schema_path).read_text())


def schema_errors(config: Mapping[str, Any], schema_path: str | Path) -> list[str]:
    """Every way `config` breaks the JSON schema, one line each, starting with the dotted key."""
    schema = load_schema(schema_path)
    validator = jsonschema.validators.validator_for(schema)(schema)
    lines = []
    for error in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.path))):
        key = ".".join(str(part) for part in error.path) or "(top level)"
        lines.append(f"config key {key}: {error.message}")
    return lines


def raise_for_schema(config: Mapping[str, Any], schema_path: str | Path) -> None:
    """Raise ConfigError listing every schema violation by key (no-op for a valid config)."""
    lines = schema_errors(config, schema_path)
    if lines:
        raise ConfigError(
            f"{len(lines)} problem(s) in the config (schema {schema_path}):\n  "
            + "\n  ".join(lines)
        )


def apply_schema_defaults(config: dict[str, Any], schema_path: str | Path) -> None:
    """Fill in, in place, the schema's ``default`` of every key `config` leaves out.

    Defaults apply at every depth: an object property given as ``default: {}`` is added, and then
    its own properties' defaults inside it. Call it on a config that passed `schema_errors`.
    """
    schema = load_schema(schema_path)
    base = jsonschema.validators.validator_for(schema)
    validate_properties = base.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, subschema) -> Iterator[Any]:
        if validator.is_type(instance, "object"):
            for name, spec in properties.items():
                if isinstance(spec, dict) and "default" in spec and name not in instance:
                    instance[name] = copy.deepcopy(spec["default"])
        yield from validate_properties(validator, properties, instance, subschema)

    filling = jsonschema.validators.extend(base, {"properties": set_defaults})
    for _ in filling(schema).iter_errors(config):
        pass  # errors were reported by schema_errors; iterating fills the defaults


# --- rules shared with the library's config dataclasses ------------------------------------------


def fractions_problem(fractions: Sequence[float]) -> str | None:
    """Why (train, val, test) row fractions are unusable, or None: they must be > 0, sum to 1."""
    if len(fractions) != 3:
        return f"need train, val and test fractions, got {list(fractions)}"
    if any(f <= 0 for f in fractions):
        return f"every fraction must be positive, got {list(fractions)}"
    total = float(sum(fractions))
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        return f"train + val + test must be 1, got {total:.6g}"
    return None


def bands_problem(bands: Sequence[float]) -> str | None:
    """Why two band edges are unusable, or None: the lower edge must be below the upper."""
    low, high = bands
    if not low < high:
        return f"bands must increase, got {[low, high]}"
    return None


def raise_if(problem: str | None, key: str) -> None:
    """Raise ConfigError naming `key` when `problem` is not None (for the dataclasses' checks)."""
    if problem is not None:
        raise ConfigError(f"config key {key}: {problem}")


def close_matches_text(name: str, known: Sequence[str]) -> str:
    """ " (did you mean 'X'?)" for the known names closest to `name`, or "" when none is close."""
    matches = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
    if not matches:
        # Case-only typos ("Ms" for "MS") are short strings difflib rates low.
        matches = [k for k in known if k.lower() == name.lower()]
    return f" (did you mean {format_list(matches)}?)" if matches else ""


# --- cross-key checks ---------------------------------------------------------------------------


def feature_names(config: Mapping[str, Any]) -> list[str]:
    """The feature names the configured input will produce, in join order."""
    if config["data"]["source"] == "table":
        return list(config["data"]["table"]["features"])
    if config["data"]["source"] == "las":
        las = config["data"]["las"]
        return list(las.get("features") or las["curves"])
    names: list[str] = []
    for table in (config["ingest"].get("tables") or {}).values():
        names.extend(table["features"])
    return names


def merged_run_settings(classifiers: Mapping[str, Any], run: str) -> dict[str, Any]:
    """A classifier run's settings over `classifiers.defaults` (`gradient_boosting` merged key by
    key), with `classifiers.penalty_matrix` for lithology targets."""
    defaults, settings = classifiers["defaults"], classifiers["runs"][run]
    merged = {**defaults, **settings}
    merged.pop("gradient_boosting", None)
    if merged.get("model") == "gradient_boosting":  # only its own runs depend on these
        merged["gradient_boosting"] = {
            **(defaults.get("gradient_boosting") or {}),
            **(settings.get("gradient_boosting") or {}),
        }
    if classifiers.get("penalty_matrix") and merged["target"] == "lithology":
        merged["penalty_matrix"] = classifiers["penalty_matrix"]
    return merged


def embedding_run_for(vae: str, runs: Mapping[str, Mapping[str, Any]], target: str) -> str | None:
    """The first classifier run (config order) with input embedding of `vae` and `target`."""
    for name, run in runs.items():
        if run.get("input") == "embedding" and run.get("vae") == vae and run["target"] == target:
            return name
    return None


def _las_problems(las: Mapping[str, Any]) -> Iterator[str]:
    """data.las: model features must be configured curves; a mnemonic serves one feature only."""
    curves = las["curves"]
    unknown = [f for f in las.get("features") or [] if f not in curves]
    if unknown:
        yield (
            f"config key data.las.features: {format_list(unknown)} not in data.las.curves "
            f"({format_list(curves)})"
        )
    owner: dict[str, str] = {}
    for feature, mnemonics in curves.items():
        for mnemonic in [mnemonics] if isinstance(mnemonics, str) else mnemonics:
            other = owner.setdefault(mnemonic.upper(), feature)
            if other != feature:
                yield (
                    f"config key data.las.curves.{feature}: mnemonic {mnemonic!r} is also listed "
                    f"for {other}"
                )
    confidence = las.get("confidence")
    if confidence and confidence["curve"].upper() in owner:
        yield (
            f"config key data.las.confidence.curve: {confidence['curve']!r} is also a feature curve"
        )


def _feature_key_problems(
    section: Mapping[str, Any], key: str, features: Sequence[str], extra: Sequence[str] = ()
) -> Iterator[str]:
    """A problem per name in `section` that is not a feature (nor one of `extra`)."""
    known = [*extra, *features]
    for name in section:
        if name not in known:
            yield (
                f"config key {key}.{name}: {name!r} is not a feature of the configured input "
                f"(features: {format_list(features)}){close_matches_text(name, known)}"
            )


def _ingest_problems(config: Mapping[str, Any]) -> Iterator[str]:
    ingest = config["ingest"]
    source = config["data"]["source"]
    if source in ("table", "las"):
        if source not in config["data"]:
            yield f"config key data.{source}: required when data.source is {source!r}"
            return
        if source == "las":
            yield from _las_problems(config["data"]["las"])
    else:
        for key in ("tables", "label_table", "columns"):
            if key not in ingest:
                yield f"config key ingest.{key}: required when data.source is {source!r}"
        if "tables" not in ingest:
            return
        tables = ingest["tables"]
        if "label_table" in ingest and ingest["label_table"] not in tables:
            yield (
                f"config key ingest.label_table: {ingest['label_table']!r} is not one of "
                f"ingest.tables ({format_list(tables)})"
            )
    features = feature_names(config)
    duplicated = sorted({f for f in features if features.count(f) > 1})
    if duplicated:
        yield f"config key ingest.tables: feature names used twice: {format_list(duplicated)}"
    if DEPTH_RANGE_KEY in features:
        yield (
            f"config key ingest.valid_ranges: a feature is named {DEPTH_RANGE_KEY!r}, the key that "
            "bounds the depth column; rename the feature"
        )
    for section in ("filters", "valid_ranges"):
        bounds_by_name = ingest.get(section) or {}
        extra = (DEPTH_RANGE_KEY,) if section == "valid_ranges" else ()
        yield from _feature_key_problems(bounds_by_name, f"ingest.{section}", features, extra)
        for name, (low, high) in bounds_by_name.items():
            if low is not None and high is not None and low > high:
                yield f"config key ingest.{section}.{name}: min > max in {[low, high]}"


def _split_problems(config: Mapping[str, Any]) -> Iterator[str]:
    splits = config["splits"]
    fractions = splits["fractions"]
    problem = fractions_problem([fractions[p] for p in ("train", "val", "test")])
    if problem:
        yield f"config key splits.fractions: {problem}"
    explicit = splits.get("explicit") or {}
    if "explicit" in splits["methods"]:
        if not explicit.get("test"):
            yield "config key splits.explicit.test: the explicit split needs a test borehole"
        overlap = sorted(set(explicit.get("test") or []) & set(explicit.get("val") or []))
        if overlap:
            yield (
                "config key splits.explicit: boreholes in both test and val: "
                f"{format_list(overlap)}"
            )


def _model_problems(config: Mapping[str, Any]) -> Iterator[str]:
    methods = sorted(config["splits"]["methods"])
    for name, model in config["vae"]["models"].items():
        if model["split"] not in methods:
            yield (
                f"config key vae.models.{name}.split: {model['split']!r} is not in splits.methods "
                f"({format_list(methods)})"
            )
        if model["beta_end"] < model["beta_start"]:
            yield f"config key vae.models.{name}.beta_end: must be >= beta_start"
        known = feature_names(config)
        for feature in model.get("features") or []:
            if feature not in known:
                yield (
                    f"config key vae.models.{name}.features: {feature!r} is not a feature of "
                    f"the configured input ({format_list(known)})"
                    f"{close_matches_text(feature, known)}"
                )
    vaes = sorted(config["vae"]["models"])
    for name, run in config["classifiers"]["runs"].items():
        key = f"classifiers.runs.{name}"
        if run["split"] not in methods:
            yield (
                f"config key {key}.split: {run['split']!r} is not in splits.methods "
                f"({format_list(methods)})"
            )
        if run["input"] == "embedding":
            if "vae" not in run:
                yield f"config key {key}.vae: an embedding classifier must name a VAE model"
            elif run["vae"] not in vaes:
                yield (
                    f"config key {key}.vae: {run['vae']!r} is not one of vae.models "
                    f"({format_list(vaes)})"
                )
            if "scaler_fit" in run:  # set on the run itself (the defaults' value is fine)
                yield (
                    f"config key {key}.scaler_fit: an embedding run uses the VAE's mu as it is "
                    "(no scaler); remove the key"
                )
        elif "vae" in run:
            yield (
                f"config key {key}.vae: a run with input 'raw' uses no VAE; remove the key "
                "(or set input: embedding)"
            )
    if config["validation"]["vae"] not in vaes:
        yield (
            f"config key validation.vae: {config['validation']['vae']!r} is not one of vae.models "
            f"({format_list(vaes)})"
        )
    for key in ("coherence_bands", "reconstruction_bands"):
        problem = bands_problem(config["validation"][key])
        if problem:
            yield f"config key validation.{key}: {problem}"


# Keys of a vae.models entry that only one kind uses, by kind; those marked required must be set.
VAE_KIND_KEYS = {
    "beta_tcvae": {"tc_weight": True},
    "semi_supervised": {"aux_target": True, "aux_weight": True, "aux_hidden": False},
}


def _vae_kind_problems(config: Mapping[str, Any]) -> Iterator[str]:
    """Each VAE sets the keys its kind needs and none that another kind uses."""
    for name, model in config["vae"]["models"].items():
        kind = model.get("kind", "vae")
        for owner, keys in VAE_KIND_KEYS.items():
            for key, required in keys.items():
                if owner == kind and required and key not in model:
                    yield f"config key vae.models.{name}.{key}: required for kind {kind!r}"
                elif owner != kind and key in model:
                    yield (
                        f"config key vae.models.{name}.{key}: only used with kind {owner!r} "
                        f"(this VAE's kind is {kind!r}); remove the key"
                    )


def _vae_comparison_problems(config: Mapping[str, Any]) -> Iterator[str]:
    """validation.vae_comparison.direct_run names a raw-feature classifier run."""
    direct = (config["validation"].get("vae_comparison") or {}).get("direct_run")
    runs = config["classifiers"]["runs"]
    key = "config key validation.vae_comparison.direct_run"
    if direct is None:
        return
    if direct not in runs:
        yield f"{key}: {direct!r} is not one of classifiers.runs ({format_list(sorted(runs))})"
    elif runs[direct]["input"] != "raw":
        yield f"{key}: {direct!r} is an embedding run; name a run with input 'raw'"


def _classifier_problems(config: Mapping[str, Any]) -> Iterator[str]:
    """Model kinds, missing-value policies, context sets and evaluation settings of every run."""
    classifiers = config["classifiers"]
    sets = sorted((config.get("context") or {}).get("sets") or {})
    for name in classifiers["runs"]:
        run = merged_run_settings(classifiers, name)
        key = f"classifiers.runs.{name}"
        model = run.get("model", "mlp")
        if run.get("missing") == "native" and model != "gradient_boosting":
            yield (
                f"config key {key}.missing: 'native' keeps missing values, which only "
                "model: gradient_boosting handles; use drop or impute"
            )
        if model == "gradient_boosting" and not run.get("gradient_boosting"):
            yield (
                f"config key {key}.gradient_boosting: model gradient_boosting needs its "
                "settings (classifiers.defaults.gradient_boosting)"
            )
        if "gradient_boosting" in classifiers["runs"][name] and model != "gradient_boosting":
            yield f"config key {key}.gradient_boosting: set, but the run's model is {model!r}"
        boosting = run.get("gradient_boosting") or {}
        if boosting.get("refit_with_val") and not boosting.get("early_stopping"):
            yield (
                f"config key {key}.gradient_boosting.refit_with_val: the refit takes the number "
                "of iterations that early stopping chose, so it needs early_stopping: true"
            )
        context = run.get("context")
        if context and context not in sets:
            yield (
                f"config key {key}.context: {context!r} is not one of context.sets "
                f"({format_list(sets)}){close_matches_text(context, sets)}"
            )
        own = classifiers["runs"][name]  # set on the run itself (defaults may carry it)
        if own.get("missing_indicators") and run.get("missing") != "impute":
            yield f"config key {key}.missing_indicators: only used with missing: impute"
        if run.get("evaluation") == "group_kfold" and classifiers["runs"][name].get("bootstrap"):
            yield (
                f"config key {key}.bootstrap: the borehole bootstrap is for split evaluation; "
                "group_kfold gives intervals over its folds"
            )


def _report_problems(config: Mapping[str, Any]) -> Iterator[str]:
    """Every run that config section ``report`` names is a run of classifiers.runs."""
    runs = sorted(config["classifiers"]["runs"])
    known = format_list(runs)
    for i, comparison in enumerate(config["report"]["comparisons"]):
        key = f"report.comparisons[{i}].runs"
        for name in comparison["runs"]:
            if name not in runs:
                yield f"config key {key}: {name!r} is not one of classifiers.runs ({known})"
        if len(set(comparison["runs"])) != 2:
            yield f"config key {key}: a comparison needs two different runs"
    for name in config["report"]["investigation_runs"]:
        if name not in runs:
            yield (
                f"config key report.investigation_runs.{name}: {name!r} is not one of "
                f"classifiers.runs ({known})"
            )


def _data_group_problems(config: Mapping[str, Any]) -> Iterator[str]:
    """Target data_group needs the data-driven hierarchy; each pair of
    report.hierarchy_comparisons is one recipe with target group, then data_group."""
    classifiers = config["classifiers"]
    enabled = config["hierarchy"]["data_driven"]["enabled"]
    runs = {name: merged_run_settings(classifiers, name) for name in classifiers["runs"]}
    targets = {name: run["target"] for name, run in runs.items()}
    for name, target in targets.items():
        if target == "data_group" and not enabled:
            yield (
                f"config key classifiers.runs.{name}.target: 'data_group' needs the data-driven "
                "hierarchy; set hierarchy.data_driven.enabled: true"
            )
    for i, pair in enumerate(config["report"].get("hierarchy_comparisons") or []):
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


def _data_driven_problems(config: Mapping[str, Any]) -> Iterator[str]:
    """Section ``hierarchy.data_driven`` names an existing VAE or split and a usable k range."""
    section = config["hierarchy"]["data_driven"]
    if not section["enabled"]:
        return
    key = "config key hierarchy.data_driven"
    vaes = sorted(config["vae"]["models"])
    if section["input"] == "embedding":
        if "vae" not in section:
            yield f"{key}.vae: input 'embedding' needs the name of a VAE model"
        elif section["vae"] not in vaes:
            yield f"{key}.vae: {section['vae']!r} is not one of vae.models ({format_list(vaes)})"
    else:
        if "vae" in section:
            yield f"{key}.vae: input 'raw' uses no VAE; remove the key (or set input: embedding)"
        methods = sorted(config["splits"]["methods"])
        if section["rows"] == "train" and section["split"] not in methods:
            yield (
                f"{key}.split: {section['split']!r} is not in splits.methods "
                f"({format_list(methods)})"
            )
    low, high = section["k_range"]
    if low > high:
        yield f"{key}.k_range: min must not exceed max, got {[low, high]}"


def _simulate_anomaly_problems(config: Mapping[str, Any]) -> Iterator[str]:
    """Section ``simulate.anomalies``: interval lengths in order."""
    section = (config.get("simulate") or {}).get("anomalies") or {}
    low, high = section.get("min_length_m"), section.get("max_length_m")
    if low is not None and high is not None and low > high:
        yield (
            "config key simulate.anomalies: min_length_m must not exceed max_length_m, "
            f"got {low} > {high}"
        )


def _scaling_problems(config: Mapping[str, Any]) -> Iterator[str]:
    features = feature_names(config)
    yield from _feature_key_problems(
        config["scaling"].get("transforms") or {}, "scaling.transforms", features
    )


def config_problems(config: Mapping[str, Any]) -> list[str]:
    """Every cross-key inconsistency of a schema-valid config, one line each naming the key."""
    return [
        *_ingest_problems(config),
        *_scaling_problems(config),
        *_split_problems(config),
        *_model_problems(config),
        *_vae_kind_problems(config),
        *_vae_comparison_problems(config),
        *_data_driven_problems(config),
        *_data_group_problems(config),
        *_simulate_anomaly_problems(config),
        *_classifier_problems(config),
        *_report_problems(config),
    ]


def config_warnings(config: Mapping[str, Any]) -> list[str]:
    """Settings that are harmless but probably not meant, one line each naming the keys."""
    warnings = []
    compute = config["compute"]
    if compute["device"] == "cpu" and compute["gpus_per_training_job"] > 0:
        warnings.append(
            f"config keys compute.gpus_per_training_job ({compute['gpus_per_training_job']}) and "
            "compute.device ('cpu'): training jobs request GPUs that they never use; set "
            "compute.gpus_per_training_job: 0 for CPU runs"
        )
    return warnings


def check_config(config: Mapping[str, Any]) -> list[str]:
    """Raise ConfigError listing every cross-key problem; else return the warnings."""
    problems = config_problems(config)
    if problems:
        raise ConfigError(
            f"{len(problems)} inconsistenc{'y' if len(problems) == 1 else 'ies'} in the config:\n  "
            + "\n  ".join(problems)
        )
    return config_warnings(config)


def validate_config(config: dict[str, Any], schema_path: str | Path) -> list[str]:
    """Validate `config` once: schema (every violation listed), defaults filled in, cross-key
    checks (every problem listed). Raises ConfigError; returns the warnings."""
    raise_for_schema(config, schema_path)
    apply_schema_defaults(config, schema_path)
    return check_config(config)
