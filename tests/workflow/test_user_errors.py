"""What a user sees when the config or the input is wrong (issue 25): one lithoflow message that
says what, where and what to do, a non-zero exit, no traceback; and nested keys overridden
from the command line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.workflow.helpers import run_snakemake, tiny_config
from tests.workflow.test_ingest_workflow import table_source_config

pytestmark = pytest.mark.workflow


def _output(result) -> str:
    return result.stdout + result.stderr


def test_a_config_error_is_one_message_without_traceback(tmp_path: Path) -> None:
    config = tiny_config()
    config["simulate"]["seed"] = "seven"
    first_run = next(iter(config["classifiers"]["runs"]))
    config["classifiers"]["runs"][first_run]["learning_rate"] = "1e-3"  # YAML 1.1 reads text
    config["splits"]["fractions"] = [0.5, 0.5, 0.5]  # a cross-key problem, same round
    result = run_snakemake(tmp_path, config, extra_args=["--dry-run"], check=False)
    output = _output(result)
    assert result.returncode != 0
    assert "Traceback" not in output
    assert "lithoflow: 3 problems in the config" in output
    assert "config key simulate.seed: 'seven' is not valid" in output or "simulate.seed" in output
    assert "write it with a decimal point, 1.0e-3" in output
    assert "splits.fractions" in output
    assert output.count("problems in the config") == 1


def test_nested_numbers_can_be_set_on_the_command_line(tmp_path: Path) -> None:
    config = tiny_config()
    first_run = next(iter(config["classifiers"]["runs"]))
    override = f"classifiers={{runs: {{{first_run}: {{learning_rate: 0.01}}}}}}"
    result = run_snakemake(
        tmp_path,
        config,
        extra_args=["--dry-run", "--config", "simulate={seed: 7}", override],
        check=False,
    )
    output = _output(result)
    assert result.returncode == 0, output[-3000:]
    assert "--config simulate.seed: '7' -> 7" in output
    assert f"--config classifiers.runs.{first_run}.learning_rate: '0.01' -> 0.01" in output
    # text that is no number stays text, and the schema names it
    bad = run_snakemake(
        tmp_path, None, extra_args=["--dry-run", "--config", "simulate={seed: x7}"], check=False
    )
    assert bad.returncode != 0 and "config key simulate.seed" in _output(bad)


def test_bad_input_in_a_rule_is_one_message_naming_file_column_and_rows(tmp_path: Path) -> None:
    table = tmp_path / "wells.csv"
    pd.DataFrame(
        {
            "well": ["W-1", "W-1", "W-1"],
            "depth": [0.0, 0.5, 1.0],
            "rock": ["shale", "sand", "shale"],
            "porosity": [0.3, float("-inf"), 0.25],
            "vp": [2000.0, 2200.0, 2100.0],
        }
    ).to_csv(table, index=False)
    config = table_source_config(table, invalid_rows="keep", filters={}, valid_ranges={})
    workdir = tmp_path / "work"
    result = run_snakemake(workdir, config, targets=["results/data/features.parquet"], check=False)
    output = _output(result)
    assert result.returncode != 0
    assert "Traceback" not in output
    assert output.count("1 value(s) of porosity are infinite") == 1, output[-3000:]
    log = (workdir / "logs/bin_table/table.log").read_text()
    assert "Traceback" not in log
    assert log.count("infinite or beyond") == 1
    assert f"file {table}" in log and "column 'porosity'" in log and "-inf" in log
    assert not (workdir / "results/data/binned/table.parquet").exists()  # no partial output
