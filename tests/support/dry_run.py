"""Snakemake's `--dry-run` job list, read strictly (tests/workflow plans runs with it).

The reader fails loudly on an output it does not understand instead of returning "no jobs",
which would let every "nothing reruns" check pass unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PlannedJob:
    """One job of a dry run: its rule, wildcards and input files."""

    rule: str
    wildcards: tuple[tuple[str, str], ...] = ()
    inputs: tuple[str, ...] = field(default=(), compare=False)

    @property
    def name(self) -> str:
        """'rule' or 'rule[key=value,...]': how the tests name a job."""
        if not self.wildcards:
            return self.rule
        return f"{self.rule}[{','.join(f'{k}={v}' for k, v in self.wildcards)}]"


_JOB_HEADER = re.compile(r"^(?:local)?rule (\w+):$")
_NOTHING_TO_DO = "Nothing to be done"


def parse_dry_run(output: str) -> list[PlannedJob]:
    """The jobs that a `snakemake --dry-run` output lists (rule `all` included).

    Each job is a block that starts with "rule NAME:" and holds "input:" and "wildcards:" lines;
    the "Job stats" table that precedes them must count the same jobs per rule, so a change of
    Snakemake's output format fails here instead of passing with an empty list.
    """
    lines = output.splitlines()
    if any(line.startswith(_NOTHING_TO_DO) for line in lines):
        return []
    if "Job stats:" not in lines:
        raise AssertionError(f"no job list in the dry-run output:\n{output[-3000:]}")
    jobs: list[PlannedJob] = []
    current: dict[str, Any] | None = None

    def finish() -> None:
        if current is not None:
            jobs.append(
                PlannedJob(current["rule"], tuple(current["wildcards"]), tuple(current["inputs"]))
            )

    for line in lines:
        header = _JOB_HEADER.match(line.strip())
        if header and not line.startswith(" "):
            finish()
            current = {"rule": header.group(1), "wildcards": [], "inputs": []}
        elif current is not None and line.startswith("    wildcards: "):
            pairs = line.split(": ", 1)[1].split(", ")
            current["wildcards"] = sorted(tuple(p.split("=", 1)) for p in pairs)
        elif current is not None and line.startswith("    input: "):
            current["inputs"] = line.split(": ", 1)[1].split(", ")
    finish()

    stats_at = lines.index("Job stats:")
    counts: dict[str, int] = {}
    for line in lines[stats_at + 3 :]:
        parts = line.split()
        if len(parts) != 2 or parts[0] == "total":
            break
        counts[parts[0]] = int(parts[1])
    listed: dict[str, int] = {}
    for job in jobs:
        listed[job.rule] = listed.get(job.rule, 0) + 1
    if listed != counts:
        raise AssertionError(f"job blocks {listed} differ from the Job stats table {counts}")
    return jobs


def job_names(jobs: Iterable[PlannedJob]) -> set[str]:
    """The names of the jobs, without the `all` target."""
    return {job.name for job in jobs if job.rule != "all"}
