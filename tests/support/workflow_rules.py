"""The workflow's rules as Snakemake itself holds them, for structural checks (no text searches).

`load_rules` builds the workflow with Snakemake's API in a child process (no DAG, no jobs) and
returns, per rule, its inputs, outputs, log, benchmark, wildcards, resources and how it runs, with
the global and the rule's own wildcard constraints applied. `compiled_rule_files` are the
Snakefile and every file it includes, translated to Python by Snakemake's own parser, so that
Python checks (e.g. the AST scan of tests/unit/test_safety.py) see the code the rule files run.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.config import REPO_ROOT, SNAKEFILE, write_config

_DUMP = """
import json, sys
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.parser import parse
from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings

snakefile, workdir, configfile, basedir = map(Path, sys.argv[1:5])


def text(item):
    return f"<function {item.__name__}>" if callable(item) else str(item)


def resource(value):
    raw = value.raw if hasattr(value, "raw") else value
    return raw if isinstance(raw, (int, float, str)) and not callable(raw) else "<computed>"


with SnakemakeApi(OutputSettings()) as api:
    workflow = api.workflow(
        resource_settings=ResourceSettings(),
        config_settings=ConfigSettings(configfiles=[configfile]),
        snakefile=snakefile,
        workdir=workdir,
    )._workflow
    rules = [
        {
            "name": rule.name,
            "inputs": {
                name: [text(item) for item in (files if isinstance(files, list) else [files])]
                for name, files in rule.input._allitems()
                if name is not None
            }
            | {"": [text(item) for item in rule.input]},
            "outputs": [str(item) for item in rule.output],
            "log": [str(item) for item in rule.log],
            "benchmark": str(rule.benchmark) if rule.benchmark else None,
            "wildcards": sorted(rule.wildcard_names),
            "resources": {name: resource(value) for name, value in rule.resources.items()},
            "shell": rule.shellcmd,
            "run": rule.is_run,
            "script": rule.script,
            "conda": str(rule.conda_env) if rule.conda_env else None,
        }
        for rule in workflow.rules
    ]
    files = {}
    for source in workflow.included:
        path = Path(source.get_path_or_uri(secret_free=True))
        files[str(path.relative_to(basedir))] = parse(source, workflow, {})[0]
print("RULES=" + json.dumps({"rules": rules, "files": files}))
"""


@dataclass(frozen=True)
class RuleInfo:
    """One rule of the built workflow."""

    name: str
    inputs: Mapping[str, list[str]]  # input name -> files; "" -> every input file
    outputs: list[str]
    log: list[str]
    benchmark: str | None
    wildcards: list[str]
    resources: Mapping[str, Any]
    shell: str | None
    run: bool
    script: str | None
    conda: str | None


@dataclass(frozen=True)
class BuiltWorkflow:
    rules: dict[str, RuleInfo]
    compiled_rule_files: dict[str, str]  # path relative to the repository -> Python code


def load_rules(config: Mapping[str, Any], timeout_s: float = 300) -> BuiltWorkflow:
    """Build the repository's workflow on `config` and describe its rules and rule files."""
    with tempfile.TemporaryDirectory(prefix="lithoflow-rules-") as folder:
        workdir = Path(folder)
        write_config(workdir, config)
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                _DUMP,
                str(SNAKEFILE),
                str(workdir),
                str(workdir / "config.yaml"),
                str(SNAKEFILE.parent),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout_s,
        )
    line = next((s for s in result.stdout.splitlines() if s.startswith("RULES=")), None)
    if line is None:
        raise AssertionError(
            f"could not build the workflow:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    dump = json.loads(line.removeprefix("RULES="))
    rules = {rule["name"]: RuleInfo(**rule) for rule in dump["rules"]}
    return BuiltWorkflow(rules=rules, compiled_rule_files=dump["files"])


# Libraries that take seconds to import; the workflow imports none of them when it starts.
HEAVY_LIBRARIES = ("torch", "sklearn", "scipy", "matplotlib", "skops")


def start_imports() -> dict[str, Any]:
    """Run the lithoflow imports of workflow/rules/common.smk (what every `snakemake` start runs)
    in a fresh process: how many import statements, their seconds, and which of
    `HEAVY_LIBRARIES` they loaded."""
    common = (REPO_ROOT / "workflow" / "rules" / "common.smk").read_text()
    imports = re.findall(r"^from lithoflow[\w.]* import (?:\([^)]*\)|.*)$", common, re.MULTILINE)
    code = "\n".join(
        [
            "import json, sys, time",
            "started = time.perf_counter()",
            *imports,
            "seconds = time.perf_counter() - started",
            f"heavy = sorted(m for m in {HEAVY_LIBRARIES!r} if m in sys.modules)",
            "print(json.dumps({'seconds': round(seconds, 3), 'heavy_libraries': heavy}))",
        ]
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
        timeout=120,
    )
    record: dict[str, Any] = {"statements": len(imports), **json.loads(result.stdout)}
    return record
