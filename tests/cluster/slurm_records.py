"""Read what SLURM recorded about a workflow's jobs, and what Snakemake planned to run.

Used by test_slurm_cluster.py: SLURM's own job records (``squeue --states=all --json``; finished
jobs stay listed for MinJobAge seconds, set to an hour by slurm_up.sh) are compared with the job
counts Snakemake prints in its "Job stats" table.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_JOB_STATS_HEADER = re.compile(r"^Job stats:\s*$")
_JOB_STATS_ROW = re.compile(r"^(?P<rule>\S+)\s+(?P<count>\d+)\s*$")
_LOCAL_RULE = re.compile(r"^localrule (?P<rule>\S+):\s*$")
_RUN_ID = re.compile(r"^SLURM run ID: (?P<run_id>\S+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class SlurmJob:
    """One SLURM job as recorded by slurmctld."""

    job_id: int
    name: str
    rule: str
    partition: str
    state: str
    exit_code: int
    work_dir: str
    gpu_request: str

    @property
    def requested_gpu(self) -> bool:
        return "gpu" in self.gpu_request


def planned_jobs(snakemake_output: str) -> Counter[str]:
    """Jobs per rule from the first "Job stats" table Snakemake printed (the whole plan)."""
    lines = snakemake_output.splitlines()
    start = next((i for i, line in enumerate(lines) if _JOB_STATS_HEADER.match(line)), None)
    if start is None:
        raise ValueError("no 'Job stats:' table in the Snakemake output")
    counts: Counter[str] = Counter()
    # header row, dashes row, then "<rule> <count>" rows up to "total".
    for line in lines[start + 3 :]:
        match = _JOB_STATS_ROW.match(line.strip())
        if match is None or match["rule"] == "total":
            break
        counts[match["rule"]] = int(match["count"])
    if not counts:
        raise ValueError("empty 'Job stats:' table in the Snakemake output")
    return counts


def local_rules(snakemake_output: str) -> set[str]:
    """Rules Snakemake ran on the submit host itself ("localrule <name>:" entries)."""
    return {m["rule"] for line in snakemake_output.splitlines() if (m := _LOCAL_RULE.match(line))}


def slurm_run_id(snakemake_output: str) -> str:
    """The run ID the SLURM executor gives all jobs of one run as their SLURM job name."""
    match = _RUN_ID.search(snakemake_output)
    if match is None:
        raise ValueError("no 'SLURM run ID:' line in the Snakemake output")
    return match["run_id"]


def rule_from_comment(comment: str) -> str:
    """The rule name in the executor's job comment: rule_<name> or rule_<name>_wildcards_<...>."""
    if not comment.startswith("rule_"):
        raise ValueError(f"not a Snakemake job comment: {comment!r}")
    return comment[len("rule_") :].split("_wildcards_", 1)[0]


def _text(value: Any) -> str:
    """A squeue JSON field as text (newer SLURM versions wrap some fields in lists or dicts)."""
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    if isinstance(value, Mapping):
        return _text(value.get("number", value.get("return_code", "")))
    return "" if value is None else str(value)


def _exit_code(value: Any) -> int:
    if isinstance(value, Mapping):
        value = value.get("return_code", value.get("number", -1))
        if isinstance(value, Mapping):
            value = value.get("number", -1)
    return int(value)


def parse_squeue_json(document: Mapping[str, Any]) -> list[SlurmJob]:
    """SlurmJob records from ``squeue --json`` output (jobs without a Snakemake comment skipped)."""
    jobs = []
    for raw in document.get("jobs", []):
        comment = _text(raw.get("comment"))
        if not comment.startswith("rule_"):
            continue
        jobs.append(
            SlurmJob(
                job_id=int(_text(raw["job_id"])),
                name=_text(raw.get("name")),
                rule=rule_from_comment(comment),
                partition=_text(raw.get("partition")),
                state=_text(raw.get("job_state")),
                exit_code=_exit_code(raw.get("exit_code", -1)),
                work_dir=_text(raw.get("current_working_directory")),
                gpu_request=";".join(
                    _text(raw.get(key))
                    for key in ("tres_per_job", "tres_per_node", "tres_per_task")
                    if _text(raw.get(key))
                ),
            )
        )
    return jobs


def slurm_jobs(work_dir: Path) -> list[SlurmJob]:
    """Every Snakemake job SLURM still lists (any state) that ran in `work_dir`."""
    result = subprocess.run(
        ["squeue", "--states=all", "--json"], capture_output=True, text=True, check=True
    )
    wanted = str(Path(work_dir).resolve())
    return [
        job
        for job in parse_squeue_json(json.loads(result.stdout))
        if str(Path(job.work_dir).resolve()) == wanted
    ]


def jobs_per_rule(jobs: Iterable[SlurmJob]) -> Counter[str]:
    return Counter(job.rule for job in jobs)
