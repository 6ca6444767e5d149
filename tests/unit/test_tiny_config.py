"""tests/config/tiny.yaml: the tiny run's overrides of config.yaml, used by the workflow tests and
by hand (`snakemake --configfile tests/config/tiny.yaml --cores 2` merges it over config.yaml).

Merged, it must validate, be exactly what the tests run on, and change only the tiny-run keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lithoflow.core.config import check_config, schema_errors
from tests.workflow.helpers import (
    REPO_ROOT,
    load_default_config,
    load_tiny_config,
    load_tiny_overrides,
    tiny_config,
)

SCHEMA = REPO_ROOT / "workflow" / "schemas" / "config.schema.yaml"
TINY_RUN_KEYS = {
    ("simulate", "scale"): "tiny",
    ("compute", "device"): "cpu",
    ("classifiers", "defaults", "max_epochs"): 4,
    ("classifiers", "defaults", "patience"): 2,
    ("classifiers", "defaults", "replicates"): 2,
    ("classifiers", "defaults", "bootstrap"): 20,
}
TINY_VAE_KEYS = {"epochs": 4, "beta_warmup_epochs": 2}


def leaves(tree: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(key path, value) of every non-mapping value of a nested config."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from leaves(value, (*path, str(key)))
    else:
        yield path, tree


def test_tiny_config_validates():
    config = load_tiny_config()
    assert schema_errors(config, SCHEMA) == []
    check_config(config)


def test_the_tests_run_on_the_file():
    assert tiny_config() == load_tiny_config()
    simulate = tiny_config({"simulate": {"seed": 7}})["simulate"]
    assert simulate == {**load_default_config()["simulate"], "scale": "tiny", "seed": 7}


def test_it_is_config_yaml_with_only_the_tiny_run_keys_changed():
    default = dict(leaves(load_default_config()))
    tiny = dict(leaves(load_tiny_config()))
    assert tiny.keys() == default.keys()
    assert set(dict(leaves(load_tiny_overrides()))) <= default.keys()
    expected = dict(TINY_RUN_KEYS)
    for vae in load_default_config()["vae"]["models"]:
        for key, value in TINY_VAE_KEYS.items():
            expected[("vae", "models", vae, key)] = value
    changed = {path: value for path, value in tiny.items() if value != default[path]}
    assert changed == expected
