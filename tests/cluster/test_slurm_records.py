"""Parsing of Snakemake's job plan and of SLURM's job records (no cluster needed)."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.cluster.slurm_records import (
    local_rules,
    parse_squeue_json,
    planned_jobs,
    rule_from_comment,
    slurm_run_id,
)

SNAKEMAKE_OUTPUT = """\
Building DAG of jobs...
SLURM run ID: 30b4088b-c933-4d3c-995d-efcb73186a64
Job stats:
job                  count
-----------------  -------
all                      1
bin_table                6
train_vae                1
total                    8

Select jobs to execute...
rule bin_table:
localrule all:
    input: report.txt
Job stats:
job      count
-----  -------
all          1
total        1
"""


def test_planned_jobs_reads_the_first_job_stats_table() -> None:
    assert planned_jobs(SNAKEMAKE_OUTPUT) == Counter({"all": 1, "bin_table": 6, "train_vae": 1})


def test_planned_jobs_without_table_raises() -> None:
    with pytest.raises(ValueError, match="Job stats"):
        planned_jobs("Nothing to be done.")


def test_local_rules_and_run_id() -> None:
    assert local_rules(SNAKEMAKE_OUTPUT) == {"all"}
    assert slurm_run_id(SNAKEMAKE_OUTPUT) == "30b4088b-c933-4d3c-995d-efcb73186a64"


@pytest.mark.parametrize(
    ("comment", "rule"),
    [
        ("rule_train_vae_wildcards_v2_6_7", "train_vae"),
        ("rule_merge_tables", "merge_tables"),
        ("rule_split_boreholes_wildcards_size_balanced", "split_boreholes"),
    ],
)
def test_rule_from_comment(comment: str, rule: str) -> None:
    assert rule_from_comment(comment) == rule


def test_parse_squeue_json_keeps_snakemake_jobs_and_gpu_requests() -> None:
    document = {
        "jobs": [
            {
                "job_id": 5,
                "name": "run-1",
                "comment": "rule_train_vae_wildcards_v2_6_7",
                "partition": "gpu",
                "job_state": "COMPLETED",
                "exit_code": 0,
                "current_working_directory": "/scratch/run",
                "tres_per_job": "gres:gpu:1",
                "tres_per_node": "",
            },
            {
                "job_id": 6,
                "name": "run-1",
                "comment": "rule_merge_tables",
                "partition": "main",
                "job_state": ["COMPLETED"],  # list form of newer SLURM versions
                "exit_code": {"return_code": 0},
                "current_working_directory": "/scratch/run",
            },
            {"job_id": 7, "name": "wrap", "comment": "", "partition": "main"},
        ]
    }
    gpu_job, cpu_job = parse_squeue_json(document)
    assert (gpu_job.rule, gpu_job.partition, gpu_job.requested_gpu) == ("train_vae", "gpu", True)
    assert (cpu_job.rule, cpu_job.state, cpu_job.exit_code) == ("merge_tables", "COMPLETED", 0)
    assert not cpu_job.requested_gpu
