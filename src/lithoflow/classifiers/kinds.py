"""The registry of classifier kinds: every kind a run's ``model`` key may name.

Each entry (`lithoflow.classifiers.interface.KindInfo`) comes from the kind's settings module
(`<kind>_settings`, which names the module of the model itself); this is the only place that
lists them. The library, the workflow's rules (one training rule per kind,
with its model file, GPU request and threads) and the reports (labels, colours) read kinds from
here, so adding a kind means writing its two modules and adding its entry to `KINDS`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from lithoflow.classifiers import boosting_settings, mlp_settings
from lithoflow.classifiers.interface import KindInfo
from lithoflow.core.errors import ConfigError, close_matches_text, format_list

KINDS: dict[str, KindInfo] = {
    info.name: info for info in (mlp_settings.INFO, boosting_settings.INFO)
}


def kind_info(name: str) -> KindInfo:
    """The registry entry of kind `name`; ConfigError naming the known kinds otherwise."""
    if name not in KINDS:
        raise ConfigError(
            f"classifier model {name!r} is not a known kind ({format_list(KINDS)})"
            f"{close_matches_text(name, list(KINDS))}"
        )
    return KINDS[name]


def settings_keys() -> list[str]:
    """The run keys that hold some kind's own hyperparameters."""
    return [info.settings_key for info in KINDS.values() if info.settings_key]


def kind_problems(run: Mapping[str, Any], own: Mapping[str, Any], key: str) -> Iterator[str]:
    """The checks every kind shares, then the run's kind's own (`run`: merged settings; `own`:
    the keys set on the run itself; `key`: its dotted config key)."""
    name = run["model"]
    if name not in KINDS:
        yield (
            f"config key {key}.model: {name!r} is not a classifier kind "
            f"({format_list(KINDS)}){close_matches_text(name, list(KINDS))}"
        )
        return
    info = KINDS[name]
    if run.get("missing") == "native" and not info.handles_missing:
        native = [k for k, i in KINDS.items() if i.handles_missing]
        yield (
            f"config key {key}.missing: 'native' keeps missing values, which model {name!r} "
            f"cannot take (kinds that can: {format_list(native)}); use drop or impute"
        )
    for other in settings_keys():
        if other in own and other != info.settings_key:
            yield f"config key {key}.{other}: set, but the run's model is {name!r}"
    yield from info.problems(run, own, key)
