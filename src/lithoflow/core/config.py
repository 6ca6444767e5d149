"""Checks of the validated Snakemake config that JSON Schema cannot express.

`snakemake.utils.validate` checks keys, types and ranges against
`workflow/schemas/config.schema.yaml`; `check_config` then checks how values relate to each other
(fractions sum to 1, names refer to things that exist). Each error names the key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from lithoflow.core.errors import ConfigError, format_list


def schema_errors(config: Mapping[str, Any], schema_path: str | Path) -> list[str]:
    """Every way `config` breaks the JSON schema, one line each, starting with the dotted key."""
    schema = yaml.safe_load(Path(schema_path).read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema)
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


def _require(condition: bool, key: str, message: str) -> None:
    if not condition:
        raise ConfigError(f"config key {key}: {message}")


def feature_names(config: Mapping[str, Any]) -> list[str]:
    """The feature names the configured input will produce, in join order."""
    if config["data"]["source"] == "table":
        return list(config["data"]["table"]["features"])
    if config["data"]["source"] == "las":
        las = config["data"]["las"]
        return list(las.get("features") or las["curves"])
    names: list[str] = []
    for table in config["ingest"]["tables"].values():
        names.extend(table["features"])
    return names


def _check_las(las: Mapping[str, Any]) -> None:
    """data.las: model features must be configured curves; a mnemonic serves one feature only."""
    curves = las["curves"]
    unknown = [f for f in las.get("features") or [] if f not in curves]
    _require(
        not unknown,
        "data.las.features",
        f"{format_list(unknown)} not in data.las.curves ({format_list(curves)})",
    )
    owner: dict[str, str] = {}
    for feature, mnemonics in curves.items():
        for mnemonic in [mnemonics] if isinstance(mnemonics, str) else mnemonics:
            other = owner.setdefault(mnemonic.upper(), feature)
            _require(
                other == feature,
                f"data.las.curves.{feature}",
                f"mnemonic {mnemonic!r} is also listed for {other}",
            )
    confidence = las.get("confidence")
    if confidence:
        _require(
            confidence["curve"].upper() not in owner,
            "data.las.confidence.curve",
            f"{confidence['curve']!r} is also a feature curve",
        )


def check_config(config: Mapping[str, Any]) -> None:
    """Raise ConfigError naming the key if the config is inconsistent."""
    ingest = config["ingest"]
    tables = ingest.get("tables", {})
    if config["data"]["source"] == "las":
        _check_las(config["data"]["las"])
    if config["data"]["source"] in ("simulate", "lily"):
        _require(
            ingest["label_table"] in tables,
            "ingest.label_table",
            f"{ingest['label_table']!r} is not one of ingest.tables ({format_list(tables)})",
        )
    features = feature_names(config)
    duplicated = sorted({f for f in features if features.count(f) > 1})
    _require(
        not duplicated, "ingest.tables", f"feature names used twice: {format_list(duplicated)}"
    )
    for name, bounds in ingest["filters"].items():
        _require(
            name in features,
            f"ingest.filters.{name}",
            f"not a feature of the configured input ({format_list(features)})",
        )
        _require(bounds[0] <= bounds[1], f"ingest.filters.{name}", f"min > max in {bounds}")

    fractions = config["splits"]["fractions"]
    total = fractions["train"] + fractions["val"] + fractions["test"]
    _require(
        math.isclose(total, 1.0, abs_tol=1e-6),
        "splits.fractions",
        f"train + val + test must be 1, got {total:.6g}",
    )
    methods = set(config["splits"]["methods"])
    explicit = config["splits"].get("explicit") or {}
    if "explicit" in methods:
        _require(
            bool(explicit.get("test")),
            "splits.explicit.test",
            "the explicit split needs at least one test borehole",
        )
        overlap = set(explicit.get("test", [])) & set(explicit.get("val", []))
        _require(
            not overlap,
            "splits.explicit",
            f"boreholes in both test and val: {format_list(overlap)}",
        )

    for name, model in config["vae"]["models"].items():
        _require(
            model["split"] in methods,
            f"vae.models.{name}.split",
            f"{model['split']!r} is not in splits.methods ({format_list(sorted(methods))})",
        )
        _require(
            model["beta_end"] >= model["beta_start"],
            f"vae.models.{name}.beta_end",
            "must be >= beta_start",
        )
    vaes = set(config["vae"]["models"])
    for name, run in config["classifiers"]["runs"].items():
        key = f"classifiers.runs.{name}"
        _require(
            run["split"] in methods,
            f"{key}.split",
            f"{run['split']!r} is not in splits.methods ({format_list(sorted(methods))})",
        )
        if run["input"] == "embedding":
            _require("vae" in run, f"{key}.vae", "an embedding classifier must name a VAE model")
            _require(
                run["vae"] in vaes,
                f"{key}.vae",
                f"{run['vae']!r} is not one of vae.models ({format_list(sorted(vaes))})",
            )
    _require(
        config["validation"]["vae"] in vaes,
        "validation.vae",
        f"{config['validation']['vae']!r} is not one of vae.models ({format_list(sorted(vaes))})",
    )
    for key in ("coherence_bands", "reconstruction_bands"):
        low, high = config["validation"][key]
        _require(low < high, f"validation.{key}", f"bands must increase, got {[low, high]}")
