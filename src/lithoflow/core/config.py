"""Validation of the Snakemake config: the schema, its defaults, then the cross-key checks.

`validate_config` is the one entry point (the workflow calls it through
`lithoflow.settings.validate`). It

1. checks keys, types and ranges against `workflow/schemas/config.schema.yaml`, one line per
   violation by dotted key (`schema_errors`);
2. fills in the schema's ``default`` values for keys the config leaves out
   (`apply_schema_defaults`): the schema is the one place that states defaults, and the
   library's settings objects (`lithoflow.core.typed.build`) repeat none;
3. runs every section's cross-key check (fractions sum to 1, names refer to things that exist,
   no key is set that the run would ignore), each defined beside the settings it checks;
4. raises one `ConfigError` listing EVERY problem of steps 1 and 3 at once, or returns the
   warnings: settings that are harmless but probably unintended.

The rules shared with the library's settings classes (`fractions_problem`, `bands_problem`) are
defined here only, and the classes call them.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from lithoflow.core.errors import ConfigError, close_matches_text, format_list

# The key of ingest.valid_ranges that bounds the raw depth column (the other keys are features).
DEPTH_RANGE_KEY = "depth_m"


def load_schema(schema_path: str | Path) -> dict[str, Any]:
    """The config schema as a dict (read with libyaml's safe loader where PyYAML has it: the
    schema is read on every workflow start, and the pure-Python parser takes a second)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(Path(schema_path).read_text(), Loader=loader)  # noqa: S506 - a safe loader


def schema_errors(config: Mapping[str, Any], schema_path: str | Path) -> list[str]:
    """Every way `config` breaks the JSON schema, one line each, starting with the dotted key."""
    schema = load_schema(schema_path)
    validator = jsonschema.validators.validator_for(schema)(schema)
    lines = []
    for error in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.path))):
        key = ".".join(str(part) for part in error.path) or "(top level)"
        lines.append(f"config key {key}: {error.message}{number_text_hint(error)}")
    return lines


def number_text_hint(error: jsonschema.ValidationError) -> str:
    """A hint for a number YAML read as text: YAML 1.1 needs a dot in `1e-3` (`1.0e-3`)."""
    if error.validator != "type" or not isinstance(error.instance, str):
        return ""
    expected = error.validator_value
    wanted = {expected} if isinstance(expected, str) else set(expected)
    if not wanted & {"number", "integer"}:
        return ""
    try:
        value = float(error.instance)
    except ValueError:
        return ""
    if "e" in error.instance.lower() and "." not in error.instance:
        mantissa, exponent = error.instance.lower().split("e", 1)
        return (
            f" (YAML reads {error.instance} as text: write it with a decimal point, "
            f"{mantissa}.0e{exponent})"
        )
    return f" (it is text: write the number {value:g} without quotes)"


def raise_for_schema(config: Mapping[str, Any], schema_path: str | Path) -> None:
    """Raise ConfigError listing every schema violation by key (no-op for a valid config)."""
    lines = schema_errors(config, schema_path)
    if lines:
        raise ConfigError(
            f"{len(lines)} problem(s) in the config (schema {schema_path}):\n  "
            + "\n  ".join(lines)
        )


_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}


def _leaf_paths(tree: Mapping[str, Any], prefix: tuple[Any, ...] = ()) -> set[tuple[Any, ...]]:
    paths = set()
    for key, value in tree.items():
        if isinstance(value, Mapping):
            paths |= _leaf_paths(value, (*prefix, key))
        else:
            paths.add((*prefix, key))
    return paths


def _parse_as(text: str, wanted: set[str]) -> tuple[bool, Any]:
    """`text` as the first of the schema's wanted types it reads as: (parsed?, value)."""
    stripped = text.strip()
    if "integer" in wanted:
        try:
            return True, int(stripped)
        except ValueError:
            pass
    if "number" in wanted:
        try:
            value = float(stripped)
        except ValueError:
            pass
        else:
            if math.isfinite(value):
                return True, value
    if "boolean" in wanted and stripped.lower() in _TRUE | _FALSE:
        return True, stripped.lower() in _TRUE
    return False, None


def _type_errors(errors: Iterable[jsonschema.ValidationError]) -> Iterator[Any]:
    for error in errors:
        if error.validator == "type":
            yield error
        yield from _type_errors(error.context or ())


def coerce_command_line(
    config: dict[str, Any], given: Mapping[str, Any], schema_path: str | Path
) -> list[str]:
    """Convert, in place, the values set on the command line that the schema wants as numbers or
    booleans; returns one line per converted key.

    ``snakemake --config 'simulate={seed: 7}'`` is the way to override a nested key (Snakemake
    refuses dotted names such as ``simulate.seed=7``), and Snakemake passes every value inside such
    a mapping as text. Only keys of `given` (the command line's ``--config``) are converted, and
    only where the schema's type for that key asks for an integer, a number or a boolean and the
    text reads as one; text in a config file stays text, so the schema names it as an error.
    """
    from_command_line = _leaf_paths(given)
    if not from_command_line:
        return []
    schema = load_schema(schema_path)
    validator = jsonschema.validators.validator_for(schema)(schema)
    converted = []
    for error in _type_errors(validator.iter_errors(config)):
        path = tuple(error.absolute_path)
        if path not in from_command_line or not isinstance(error.instance, str):
            continue
        expected = error.validator_value
        ok, value = _parse_as(
            error.instance, {expected} if isinstance(expected, str) else set(expected)
        )
        if not ok:
            continue
        parent = config
        for part in path[:-1]:
            parent = parent[part]
        if parent[path[-1]] is error.instance or parent[path[-1]] == error.instance:
            parent[path[-1]] = value
            converted.append(f"{'.'.join(map(str, path))}: {error.instance!r} -> {value!r}")
    return sorted(set(converted))


def property_defaults(schema_path: str | Path, *keys: str) -> dict[str, Any]:
    """The ``default`` of each property of the object at `keys` (e.g. ``"data", "las"``)."""
    node = load_schema(schema_path)
    for key in keys:
        node = node["properties"][key]
    return {
        name: copy.deepcopy(spec["default"])
        for name, spec in node.get("properties", {}).items()
        if isinstance(spec, dict) and "default" in spec
    }


def apply_schema_defaults(config: dict[str, Any], schema_path: str | Path) -> None:
    """Fill in, in place, the schema's ``default`` of every key `config` leaves out.

    Defaults apply at every depth: an object property given as ``default: {}`` is added, and then
    its own properties' defaults inside it. Values of the wrong type are left as they are (the
    schema's errors name them).
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


# --- shared by the sections' checks -------------------------------------------------------------


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


def feature_key_problems(
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


# --- one validation ------------------------------------------------------------------------------

# A section's cross-key check: the validated config (defaults filled in) -> one line per problem.
Check = Callable[[Mapping[str, Any]], Iterable[str]]
# Errors a check may raise when it meets a config the schema rejected (a key missing or of the
# wrong type): the schema's own message already names that key.
CHECK_SKIPPED_ON = (KeyError, TypeError, AttributeError, ValueError, IndexError)


def config_problems(config: Mapping[str, Any], checks: Sequence[Check]) -> list[str]:
    """Every cross-key problem that `checks` find, one line each naming the key."""
    return [problem for check in checks for problem in check(config)]


def validate_config(
    config: dict[str, Any],
    schema_path: str | Path,
    checks: Sequence[Check] = (),
    warnings: Sequence[Check] = (),
) -> list[str]:
    """Validate `config` once, in place: schema violations and cross-key problems listed
    together in one ConfigError; the schema's defaults filled in. Returns the warnings.

    On a config the schema rejects, a cross-key check that cannot run (it meets a key missing or
    of the wrong type) is left out: the schema's lines name what to fix first.
    """
    problems = schema_errors(config, schema_path)
    apply_schema_defaults(config, schema_path)
    for check in checks:
        try:
            problems.extend(check(config))
        except CHECK_SKIPPED_ON:
            if not problems:
                raise  # a schema-valid config: a bug in the check, not in the config
    if problems:
        raise ConfigError(
            f"{len(problems)} problem{'' if len(problems) == 1 else 's'} in the config "
            f"(keys and types: schema {schema_path}):\n  " + "\n  ".join(problems)
        )
    return [warning for check in warnings for warning in check(config)]
