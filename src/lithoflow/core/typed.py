"""Typed settings objects built from the validated config, with no default stated twice.

The config schema (`workflow/schemas/config.schema.yaml`) is the one place that states each
setting's type and default: `lithoflow.core.config.validate_config` fills the schema's defaults
into the config before anything reads it. Each config section then becomes one frozen dataclass
through `build`, which takes every field from the key of the same name and converts it to the
field's annotated type (tuples from lists, nested dataclasses from mappings, ``X | None``).
So a settings class states no default of its own: a field that has one in Python is a key the
schema leaves optional (``None`` or empty when absent), and `tests/unit/test_config_model.py`
checks that this holds for every settings class.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from lithoflow.core.errors import ConfigError

T = TypeVar("T")

# Field metadata: the config key a field is read from, when it differs from the field's name.
KEY = "config_key"
# Field metadata: the field is not read from the section (the caller passes it, or it is derived).
GIVEN = "given"


def config_key(name: str, **kwargs: Any) -> Any:
    """A dataclass field read from config key `name` (kwargs go to `dataclasses.field`)."""
    return dataclasses.field(metadata={KEY: name}, **kwargs)


def given(**kwargs: Any) -> Any:
    """A dataclass field that the caller passes to `build` rather than the section."""
    return dataclasses.field(metadata={GIVEN: True}, **kwargs)


def _is_optional(hint: Any) -> tuple[bool, Any]:
    """(True, X) for ``X | None``; (False, hint) otherwise."""
    if get_origin(hint) in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(get_args(hint)) == 2:
            return True, args[0]
    return False, hint


def convert(value: Any, hint: Any, key: str) -> Any:
    """`value` (from YAML/JSON) as the annotated type `hint`; `key` names it in errors."""
    optional, inner = _is_optional(hint)
    if value is None:
        if optional or inner is Any:
            return None
        raise ConfigError(f"config key {key}: must be set (got null)")
    hint = inner
    origin = get_origin(hint)
    if hint is Any or hint is object:
        return value
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if not isinstance(value, Mapping):
            raise ConfigError(f"config key {key}: expected a mapping, got {value!r}")
        return build(hint, value, key)
    if origin is tuple:
        args = get_args(hint)
        items = list(value)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(convert(v, args[0], f"{key}[{i}]") for i, v in enumerate(items))
        if len(args) != len(items):
            raise ConfigError(f"config key {key}: expected {len(args)} values, got {items!r}")
        pairs = enumerate(zip(items, args, strict=True))
        return tuple(convert(v, a, f"{key}[{i}]") for i, (v, a) in pairs)
    if origin in (dict, Mapping):
        key_type, value_type = get_args(hint) or (Any, Any)
        return {
            convert(k, key_type, key): convert(v, value_type, f"{key}.{k}")
            for k, v in value.items()
        }
    if origin is list:
        (item,) = get_args(hint) or (Any,)
        return [convert(v, item, f"{key}[{i}]") for i, v in enumerate(value)]
    if origin is typing.Literal:
        if value not in get_args(hint):
            raise ConfigError(f"config key {key}: {value!r} is not one of {get_args(hint)}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"config key {key}: expected true or false, got {value!r}")
        return value
    if hint in (int, float, str):
        try:
            return hint(value)
        except (TypeError, ValueError) as error:
            raise ConfigError(
                f"config key {key}: expected {hint.__name__}, got {value!r}"
            ) from error
    return value


def build(cls: type[T], section: Mapping[str, Any], key: str = "", **values: Any) -> T:
    """An instance of dataclass `cls` from a validated config `section` (key path `key`).

    Each field is read from the section's key of the same name (or the field's `config_key`),
    converted to its annotated type; `values` give fields directly (the run's name, say). A
    field missing from the section keeps its Python default, which only keys the schema leaves
    optional have; a missing key without one is an error naming it (the schema should have
    required it or filled in its default).
    """
    hints = get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        if field.name in values:
            kwargs[field.name] = values[field.name]
            continue
        if field.metadata.get(GIVEN):
            continue
        name = field.metadata.get(KEY, field.name)
        path = f"{key}.{name}" if key else name
        if name in section:
            kwargs[field.name] = convert(section[name], hints[field.name], path)
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise ConfigError(f"config key {path}: required, and the config does not set it")
    return cls(**kwargs)


def stated_defaults(cls: type) -> dict[str, Any]:
    """The fields of settings class `cls` that state a default other than None or empty.

    Settings classes built with `build` should have none: the schema states the defaults.
    """
    found = {}
    for field in dataclasses.fields(cls):
        if field.metadata.get(GIVEN) or not field.init:
            continue
        if field.default is not dataclasses.MISSING:
            default = field.default
        elif field.default_factory is not dataclasses.MISSING:
            default = field.default_factory()
        else:
            continue
        if default is None or (hasattr(default, "__len__") and len(default) == 0):
            continue
        found[field.name] = default
    return found
