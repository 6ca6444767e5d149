"""The workflow tests' reader of `snakemake --dry-run` output fails loudly instead of reading an
unexpected output as "no jobs" (which would let every "nothing reruns" check pass unchecked)."""

from __future__ import annotations

import pytest

from tests.support.dry_run import job_names, parse_dry_run

PLAN = """\
Building DAG of jobs...
Job stats:
job              count
-------------  -------
bin_table            2
merge_tables         1
total                3


[Mon Nov 30 08:34:57 2026]
rule bin_table:
    input: results/raw/GRA_DataLITH.csv, src/lithoflow/ingest/binning.py
    output: results/data/binned/GRA.parquet, results/data/binned/GRA.json
    jobid: 1
    wildcards: table=GRA
Shell command: None

[Mon Nov 30 08:34:57 2026]
rule bin_table:
    input: results/raw/MS_DataLITH.csv
    output: results/data/binned/MS.parquet, results/data/binned/MS.json
    jobid: 3
    wildcards: table=MS
Shell command: None

[Mon Nov 30 08:34:57 2026]
rule merge_tables:
    input: results/data/binned/GRA.parquet, results/data/binned/MS.parquet
    jobid: 0
Shell command: None
"""


def test_reads_the_jobs_with_their_wildcards_and_inputs():
    jobs = parse_dry_run(PLAN)
    assert [job.name for job in jobs] == [
        "bin_table[table=GRA]",
        "bin_table[table=MS]",
        "merge_tables",
    ]
    assert jobs[0].inputs == ("results/raw/GRA_DataLITH.csv", "src/lithoflow/ingest/binning.py")
    assert job_names(jobs) == {"bin_table[table=GRA]", "bin_table[table=MS]", "merge_tables"}


def test_nothing_to_be_done_is_an_empty_plan():
    output = "Building DAG of jobs...\nNothing to be done (all requested files are present).\n"
    assert parse_dry_run(output) == []


@pytest.mark.parametrize(
    "output",
    [
        "",  # e.g. Snakemake failed before planning
        "Building DAG of jobs...\nMissingInputException in rule x\n",
        PLAN.replace("Job stats:", "Jobs:"),  # the table's title changed
    ],
)
def test_output_without_a_job_list_fails(output):
    with pytest.raises(AssertionError, match="no job list"):
        parse_dry_run(output)


def test_job_blocks_must_agree_with_the_stats_table():
    with pytest.raises(AssertionError, match="differ from the Job stats table"):
        parse_dry_run(PLAN.replace("bin_table            2", "bin_table            3"))
