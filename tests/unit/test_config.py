"""Config validation: the schema and the cross-key checks name the offending key."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from lithoflow.core.config import (
    coerce_command_line,
    feature_names,
    raise_for_schema,
    schema_errors,
)
from lithoflow.core.errors import ConfigError
from lithoflow.settings import validate as validate_config
from tests.support.config import check_config

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"


@pytest.fixture()
def config() -> dict[str, Any]:
    return yaml.safe_load((REPO / "config.yaml").read_text())


def test_default_config_is_valid(config: dict[str, Any]) -> None:
    assert schema_errors(config, SCHEMA) == []
    check_config(config)
    assert feature_names(config) == ["GRA", "MS", "NGR", "R", "G", "B"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda c: c["data"].update(sorce="lily"), "config key data: Additional properties"),
        (lambda c: c["ingest"].update(bin_size_m="x"), "config key ingest.bin_size_m: 'x' is not"),
        (lambda c: c["ingest"].update(bin_size_m=-1), "config key ingest.bin_size_m: -1 is less"),
        (
            lambda c: c["vae"]["models"]["v2_6_7"].update(epochs=0),
            "config key vae.models.v2_6_7.epochs: 0 is less than the minimum of 1",
        ),
        (lambda c: c["simulate"].update(scale="huge"), "config key simulate.scale: 'huge' is not"),
        (
            lambda c: c["classifiers"]["runs"]["direct"].update(target="rock"),
            "config key classifiers.runs.direct.target",
        ),
        (lambda c: c["splits"]["fractions"].update(val=1.5), "config key splits.fractions.val"),
        (lambda c: c.update(extra={}), "config key (top level): Additional properties"),
    ],
)
def test_schema_violations_name_the_key(config: dict[str, Any], edit, expected: str) -> None:
    bad = copy.deepcopy(config)
    edit(bad)
    with pytest.raises(ConfigError) as caught:
        raise_for_schema(bad, SCHEMA)
    assert expected in str(caught.value)


def test_every_violation_is_listed(config: dict[str, Any]) -> None:
    bad = copy.deepcopy(config)
    bad["figures"]["dpi"] = 5
    bad["compute"]["device"] = "tpu"
    assert len(schema_errors(bad, SCHEMA)) == 2


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda c: c["splits"]["fractions"].update(train=0.8), "splits.fractions"),
        (lambda c: c["ingest"].update(label_table="XRF"), "ingest.label_table"),
        (lambda c: c["ingest"]["filters"].update(PWL=[0, 1]), "ingest.filters.PWL"),
        (lambda c: c["ingest"]["filters"].update(GRA=[4.0, 0.3]), "ingest.filters.GRA"),
        (
            lambda c: c["classifiers"]["runs"]["v1_0"].update(vae="nope"),
            "classifiers.runs.v1_0.vae",
        ),
        (lambda c: c["classifiers"]["runs"]["v1_0"].pop("vae"), "classifiers.runs.v1_0.vae"),
        (lambda c: c["classifiers"]["runs"]["direct"].update(split="explicit"), "direct.split"),
        (lambda c: c["vae"]["models"]["v2_6_7"].update(beta_end=0.0, beta_start=0.5), "beta_end"),
        (lambda c: c["validation"].update(vae="other"), "validation.vae"),
        (lambda c: c["validation"].update(coherence_bands=[2.0, 1.0]), "coherence_bands"),
        (lambda c: c["splits"]["methods"].append("explicit"), "splits.explicit.test"),
        (
            lambda c: c["ingest"]["tables"]["MS"]["features"].update(GRA="dup"),
            "feature names used twice",
        ),
        (
            lambda c: c["classifiers"]["runs"]["boosting"].update(
                gradient_boosting={"refit_with_val": True, "early_stopping": False}
            ),
            "classifiers.runs.boosting.gradient_boosting.refit_with_val",
        ),
    ],
)
def test_cross_key_checks_name_the_key(config: dict[str, Any], edit, key: str) -> None:
    bad = copy.deepcopy(config)
    edit(bad)
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        check_config(bad)


# --- one validation, every problem listed, keys the run would ignore -----------------------------


def test_validate_config_fills_schema_defaults(config: dict[str, Any]) -> None:
    trimmed = copy.deepcopy(config)
    del trimmed["splits"]["entropy_balanced"]
    del trimmed["splits"]["explicit"]
    del trimmed["data"]["lily_dir"]
    del trimmed["ingest"]["valid_ranges"]
    assert validate_config(trimmed, SCHEMA) == []
    assert trimmed["splits"]["entropy_balanced"] == {"fraction_tolerance": 0.005}
    assert trimmed["splits"]["explicit"] == {"test": [], "val": []}
    assert trimmed["data"]["lily_dir"] == "data/lily"
    assert trimmed["ingest"]["valid_ranges"] == {}
    assert trimmed["ingest"]["invalid_rows"] == "keep"


def test_every_cross_key_problem_is_listed_at_once(config: dict[str, Any]) -> None:
    bad = copy.deepcopy(config)
    bad["splits"]["fractions"]["train"] = 0.8
    bad["validation"]["vae"] = "other"
    bad["ingest"]["filters"]["PWL"] = [0, 1]
    with pytest.raises(ConfigError) as caught:
        check_config(bad)
    message = str(caught.value)
    assert "3 problems in the config" in message
    for key in ("splits.fractions", "validation.vae", "ingest.filters.PWL"):
        assert f"config key {key}" in message


def test_transform_of_a_missing_feature_is_refused_with_close_matches(
    config: dict[str, Any],
) -> None:
    bad = copy.deepcopy(config)
    bad["scaling"]["transforms"]["Ms"] = bad["scaling"]["transforms"].pop("MS")
    with pytest.raises(ConfigError) as caught:
        check_config(bad)
    message = str(caught.value)
    assert "config key scaling.transforms.Ms" in message
    assert "'GRA', 'MS', 'NGR'" in message  # the known features
    assert "did you mean 'MS'" in message


def test_valid_range_of_a_missing_feature_is_refused(config: dict[str, Any]) -> None:
    bad = copy.deepcopy(config)
    bad["ingest"]["valid_ranges"]["depht_m"] = [0, None]
    with pytest.raises(ConfigError, match=r"ingest\.valid_ranges\.depht_m.*did you mean 'depth_m'"):
        check_config(bad)


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda c: c["classifiers"]["runs"]["direct"].update(vae="v2_6_7"), "direct.vae"),
        (lambda c: c["classifiers"]["runs"]["v1_0"].update(scaler_fit="all"), "v1_0.scaler_fit"),
    ],
)
def test_settings_a_run_ignores_are_refused(config: dict[str, Any], edit, key: str) -> None:
    bad = copy.deepcopy(config)
    edit(bad)
    assert schema_errors(bad, SCHEMA) == []
    with pytest.raises(ConfigError, match=rf"config key classifiers\.runs\.{key}"):
        check_config(bad)


def test_defaults_scaler_fit_is_not_an_embedding_run_setting(config: dict[str, Any]) -> None:
    assert "scaler_fit" in config["classifiers"]["defaults"]
    assert check_config(config) == []


def test_table_source_needs_no_lily_ingest_keys(config: dict[str, Any]) -> None:
    tidy = copy.deepcopy(config)
    tidy["data"]["source"] = "table"
    for key in ("tables", "label_table", "columns"):
        del tidy["ingest"][key]
    assert validate_config(tidy, SCHEMA) == []
    lily = copy.deepcopy(tidy)
    lily["data"]["source"] = "lily"
    with pytest.raises(ConfigError) as caught:
        check_config(lily)
    for key in ("ingest.tables", "ingest.label_table"):
        assert key in str(caught.value)
    # LILY's own identification columns are the default
    assert lily["ingest"]["columns"]["depth"] == "Depth CSF-A (m)"


def test_gpus_on_a_cpu_run_are_warned_about(config: dict[str, Any]) -> None:
    cpu = copy.deepcopy(config)
    cpu["compute"]["device"] = "cpu"
    (warning,) = check_config(cpu)
    assert "compute.gpus_per_training_job" in warning and "compute.device" in warning
    cpu["compute"]["gpus_per_training_job"] = 0
    assert check_config(cpu) == []


# --- target data_group and report.hierarchy_comparisons ------------------------------------------


def test_data_group_target_needs_the_data_driven_hierarchy(config: dict[str, Any]) -> None:
    assert config["classifiers"]["runs"]["boosting_data_group"]["target"] == "data_group"
    bad = copy.deepcopy(config)
    bad["hierarchy"]["data_driven"]["enabled"] = False
    with pytest.raises(ConfigError) as caught:
        check_config(bad)
    message = str(caught.value)
    assert "config key classifiers.runs.boosting_data_group.target" in message
    assert "hierarchy.data_driven.enabled: true" in message


@pytest.mark.parametrize(
    ("pair", "expected"),
    [
        (["boosting", "nope"], "'nope' not in classifiers.runs"),
        (["boosting_data_group", "boosting"], "target group, then one with target data_group"),
        (["direct", "boosting_data_group"], "differ in target only; they differ in"),
    ],
)
def test_hierarchy_comparisons_pair_one_recipe_on_both_mappings(
    config: dict[str, Any], pair: list[str], expected: str
) -> None:
    bad = copy.deepcopy(config)
    bad["report"]["hierarchy_comparisons"] = [pair]
    with pytest.raises(ConfigError, match=r"report\.hierarchy_comparisons\[0\]") as caught:
        check_config(bad)
    assert expected in str(caught.value)


def test_schema_and_cross_key_problems_come_in_one_round(config: dict[str, Any]) -> None:
    bad = copy.deepcopy(config)
    bad["ingest"]["bin_size_m"] = "x"  # schema
    bad["splits"]["fractions"]["train"] = 0.8  # cross-key
    with pytest.raises(ConfigError) as caught:
        validate_config(bad, SCHEMA)
    message = str(caught.value)
    assert "2 problems in the config" in message
    assert "config key ingest.bin_size_m" in message and "config key splits.fractions" in message


def test_a_number_yaml_reads_as_text_gets_a_hint(config: dict[str, Any]) -> None:
    bad = copy.deepcopy(config)
    bad["vae"]["models"]["v2_6_7"]["learning_rate"] = yaml.safe_load("x: 1e-3")["x"]
    assert bad["vae"]["models"]["v2_6_7"]["learning_rate"] == "1e-3"  # YAML 1.1: text
    bad["ingest"]["bin_size_m"] = "0.2"
    lines = schema_errors(bad, SCHEMA)
    assert any("write it with a decimal point, 1.0e-3" in line for line in lines), lines
    assert any("write the number 0.2 without quotes" in line for line in lines), lines


def test_command_line_text_is_converted_where_the_schema_wants_a_number(
    config: dict[str, Any],
) -> None:
    # `snakemake --config 'simulate={seed: 7}' 'vae={models: {v2_6_7: {learning_rate: 1e-3}}}'`
    given = {"simulate": {"seed": "7"}, "vae": {"models": {"v2_6_7": {"learning_rate": "1e-3"}}}}
    edited = copy.deepcopy(config)
    edited["simulate"]["seed"] = "7"
    edited["vae"]["models"]["v2_6_7"]["learning_rate"] = "1e-3"
    edited["ingest"]["bin_size_m"] = "0.2"  # from a config file: stays text, and an error
    converted = coerce_command_line(edited, given, SCHEMA)
    assert converted == [
        "simulate.seed: '7' -> 7",
        "vae.models.v2_6_7.learning_rate: '1e-3' -> 0.001",
    ]
    assert edited["simulate"]["seed"] == 7 and isinstance(edited["simulate"]["seed"], int)
    assert edited["vae"]["models"]["v2_6_7"]["learning_rate"] == 0.001
    assert edited["ingest"]["bin_size_m"] == "0.2"
    assert [line.split(":")[0] for line in schema_errors(edited, SCHEMA)] == [
        "config key ingest.bin_size_m"
    ]


def test_command_line_text_that_is_no_number_stays_text(config: dict[str, Any]) -> None:
    edited = copy.deepcopy(config)
    edited["simulate"]["seed"] = "seven"
    assert coerce_command_line(edited, {"simulate": {"seed": "seven"}}, SCHEMA) == []
    assert edited["simulate"]["seed"] == "seven"


def test_predicting_las_wells_after_training_on_another_source_gets_the_las_defaults(
    config: dict[str, Any],
) -> None:
    from lithoflow.ingest.las import LasConfig
    from lithoflow.settings import Settings

    edited = copy.deepcopy(config)  # trains on the simulated LILY tables
    run = next(iter(edited["classifiers"]["runs"]))
    las = {"path": "new_wells", "curves": {"GR": "GR", "RHOB": "RHOB"}, "label_curve": "LITH"}
    edited["predict"] = {"run": run, "data": {"source": "las", "las": las}}
    validate_config(edited, SCHEMA)
    data = Settings.from_config(edited).predict.data
    las_config = LasConfig.from_config(data["las"])  # failed with a KeyError (depth_curves)
    assert las_config.null_values == (-999.25, -999.0, -9999.0)
    assert data["las"]["header_mismatch"] == "warn" and data["las"]["curves"] == las["curves"]


def test_an_override_file_can_remove_the_label_code_table(config: dict[str, Any]) -> None:
    from tests.support.config import deep_update

    las = {"path": "wells", "curves": {"GR": "GR"}, "label_curve": "LITH", "label_codes": "c.csv"}
    base = deep_update(copy.deepcopy(config), {"data": {"source": "las", "las": las}})
    base["scaling"]["transforms"] = {}
    base["ingest"]["filters"] = {}
    base["ingest"]["valid_ranges"] = {}
    overridden = deep_update(base, yaml.safe_load("data: {las: {label_codes: null}}"))
    assert overridden["data"]["las"]["label_codes"] is None
    assert not [line for line in schema_errors(overridden, SCHEMA) if "label_codes" in line]
