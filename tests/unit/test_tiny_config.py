"""tests/config/tiny.yaml: the tiny run's overrides of config.yaml, used by the workflow tests and
by hand (`snakemake --configfile tests/config/tiny.yaml --cores 2` merges it over config.yaml).

Merged, it must validate, be exactly what the tests run on, and change only the tiny-run keys.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from lithoflow.core.config import schema_errors
from lithoflow.settings import validate
from tests.support.config import (
    REPO_ROOT,
    check_config,
    load_default_config,
    load_tiny_config,
    load_tiny_overrides,
    tiny_config,
)

SCHEMA = REPO_ROOT / "workflow" / "schemas" / "config.schema.yaml"
TINY_RUN_KEYS = {
    ("simulate", "scale"): "tiny",
    ("compute", "device"): "cpu",
    ("compute", "gpus_per_training_job"): 0,
    ("classifiers", "defaults", "max_epochs"): 4,
    ("classifiers", "defaults", "patience"): 2,
    ("classifiers", "defaults", "replicates"): 2,
    ("classifiers", "defaults", "bootstrap"): 20,
    ("classifiers", "defaults", "gradient_boosting", "max_iter"): 25,
}
TINY_VAE_KEYS = {"epochs": 4, "beta_warmup_epochs": 2}


def leaves(tree: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(key path, value) of every non-mapping value of a nested config."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from leaves(value, (*path, str(key)))
    else:
        yield path, tree


def test_tiny_config_validates_without_warnings():
    config = load_tiny_config()
    assert schema_errors(config, SCHEMA) == []
    check_config(config)
    assert validate(copy.deepcopy(config), SCHEMA) == []  # e.g. no "GPUs requested on a CPU"


def test_the_tests_run_on_the_file():
    assert tiny_config() == load_tiny_config()
    simulate = tiny_config({"simulate": {"seed": 7}})["simulate"]
    assert simulate == {**load_default_config()["simulate"], "scale": "tiny", "seed": 7}


# What the tiny config adds: the β-TCVAE and its classifier run, which config.yaml carries
# commented out (too slow at full scale on a CPU) but the tests run end to end.
TINY_ADDITIONS = (("vae", "models", "tcvae"), ("classifiers", "runs", "v1_1_tcvae"))


def _added(path: tuple[str, ...]) -> bool:
    return any(path[: len(prefix)] == prefix for prefix in TINY_ADDITIONS)


def test_it_is_config_yaml_with_only_the_tiny_run_keys_changed():
    default = dict(leaves(load_default_config()))
    tiny = {path: v for path, v in leaves(load_tiny_config()) if not _added(path)}
    assert tiny.keys() == default.keys()
    overrides = {path for path, _ in leaves(load_tiny_overrides()) if not _added(path)}
    assert overrides <= default.keys()
    expected = dict(TINY_RUN_KEYS)
    for vae in load_default_config()["vae"]["models"]:
        for key, value in TINY_VAE_KEYS.items():
            expected[("vae", "models", vae, key)] = value
    changed = {path: value for path, value in tiny.items() if value != default[path]}
    assert changed == expected


def test_the_additions_are_the_commented_out_tcvae_and_its_run():
    tiny = load_tiny_config()
    assert not any(_added(path) for path, _ in leaves(load_default_config()))
    assert tiny["vae"]["models"]["tcvae"]["kind"] == "beta_tcvae"
    assert tiny["vae"]["models"]["tcvae"]["epochs"] == TINY_VAE_KEYS["epochs"]
    # the same recipe as v2_6_7 apart from the kind, its weight and the tiny run's epochs
    plain = dict(tiny["vae"]["models"]["v2_6_7"])
    tcvae = dict(tiny["vae"]["models"]["tcvae"])
    assert {k: v for k, v in tcvae.items() if k not in ("kind", "tc_weight")} == plain
    run = tiny["classifiers"]["runs"]["v1_1_tcvae"]
    assert {**run, "vae": "v2_6_7"} == tiny["classifiers"]["runs"]["v1_1"]
