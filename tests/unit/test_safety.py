"""Static safety checks over the repository's code.

Ruff's security rules (`S` in pyproject.toml, run by `make lint` over src, tests, bench and
workflow/scripts) flag shell use (os.system, os.popen, subprocess and any call with shell=True:
S602, S604, S605) and unpickling with pickle, dill, shelve or pandas (S301). This file checks
what they leave out:

- Nothing is unpickled: no pickle/dill/joblib/cloudpickle/shelve import (ruff's S403 is preview
  only), no pandas to_pickle, no numpy load with allow_pickle=True, every torch.load passes
  weights_only=True, and no call passes shell= a computed value (S602/S604 see only constants).
- Ruff does not read the rule files: the Snakefile and each rule file, as Snakemake's parser
  translates them to Python, pass both this scan and ruff's S rules; no rule has a shell command
  or a run block (each runs a script).
- Every wildcard of every rule's output, log and benchmark is constrained by a pattern that
  matches neither an empty string nor a path (so a label can never pick a file outside its folder).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.config import REPO_ROOT, SNAKEFILE

CODE_FOLDERS = ("src", "workflow", "bench")
PICKLE_MODULES = {"pickle", "cPickle", "_pickle", "dill", "joblib", "cloudpickle", "shelve"}


def python_files() -> list[Path]:
    files = [p for folder in CODE_FOLDERS for p in (REPO_ROOT / folder).rglob("*.py")]
    return sorted(p for p in files if "__pycache__" not in p.parts)


def rule_files() -> list[Path]:
    return [SNAKEFILE, *sorted((REPO_ROOT / "workflow").rglob("*.smk"))]


def call_name(node: ast.Call) -> tuple[str | None, str]:
    """(object, attribute) of a call like `obj.attr(...)`, or (None, name) of `name(...)`."""
    func = node.func
    if isinstance(func, ast.Attribute):
        owner = func.value
        return (owner.id if isinstance(owner, ast.Name) else None), func.attr
    if isinstance(func, ast.Name):
        return None, func.id
    return None, ""


def keyword_is_true(node: ast.Call, name: str) -> bool | None:
    """True/False if `name=` is passed as a constant, None if absent, True if not a constant."""
    for keyword in node.keywords:
        if keyword.arg == name:
            if isinstance(keyword.value, ast.Constant):
                return bool(keyword.value.value)
            return True  # computed: cannot be shown to be safe
    return None


def findings(path: Path, root: Path = REPO_ROOT) -> list[str]:
    """Every unsafe construct in one Python file, as 'file:line: what' (file relative to root)."""
    return findings_in_source(path.read_text(), str(path.relative_to(root)))


def findings_in_source(source: str, where: str) -> list[str]:
    """Every unsafe construct ruff's S rules miss in Python source text, as 'where:line: what'."""
    tree = ast.parse(source, filename=where)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PICKLE_MODULES:
                    found.append(f"{where}:{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in PICKLE_MODULES:
                found.append(f"{where}:{node.lineno}: from {node.module} import")
        elif isinstance(node, ast.Call):
            owner, name = call_name(node)
            if name == "to_pickle":
                found.append(f"{where}:{node.lineno}: to_pickle")
            if (
                owner == "torch"
                and name == "load"
                and keyword_is_true(node, "weights_only") is not True
            ):
                found.append(f"{where}:{node.lineno}: torch.load without weights_only=True")
            if (
                owner in ("np", "numpy")
                and name == "load"
                and keyword_is_true(node, "allow_pickle")
            ):
                found.append(f"{where}:{node.lineno}: numpy load with allow_pickle")
            if any(
                k.arg == "shell" and not isinstance(k.value, ast.Constant) for k in node.keywords
            ):
                found.append(f"{where}:{node.lineno}: {name} with a computed shell=")
    return found


def ruff_security_findings(source: str, where: str, *, project_config: bool) -> list[str]:
    """Ruff's S findings in Python source text, as 'where:line: code'. With `project_config`,
    ruff applies pyproject.toml (its rule selection and per-file ignores, for a file at `where`);
    without, every S rule."""
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")
    options = [] if project_config else ["--isolated", "--select", "S"]
    command = [sys.executable, "-m", "ruff", "check", "--output-format", "json", *options]
    result = subprocess.run(
        [*command, "--stdin-filename", where, "-"],
        input=source,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode in (0, 1), result.stderr
    return [
        f"{where}:{item['location']['row']}: {item['code']}"
        for item in json.loads(result.stdout)
        if item["code"] and item["code"].startswith("S")
    ]


def test_the_scan_sees_the_code():
    folders = {p.relative_to(REPO_ROOT).parts[0] for p in python_files()}
    assert folders == set(CODE_FOLDERS)
    assert REPO_ROOT / "src/lithoflow/training/checkpoints.py" in python_files()
    assert REPO_ROOT / "workflow/scripts/train_vae.py" in python_files()


def test_the_scan_finds_what_it_looks_for(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import pickle\nimport torch, subprocess, os\nimport numpy as np\nimport joblib\n"
        "torch.load('m.pt')\ntorch.load('m.pt', weights_only=False)\nframe.to_pickle('x')\n"
        "np.load('x.npy', allow_pickle=True)\nsubprocess.run(command, shell=flag)\n"
        "torch.load('ok.pt', weights_only=True)\nsubprocess.run(['ls'])\nnp.load('x.npy')\n"
    )
    found = findings(bad, root=tmp_path)
    assert [line.split(": ", 1)[1] for line in found] == [
        "import pickle",
        "import joblib",
        "torch.load without weights_only=True",
        "torch.load without weights_only=True",
        "to_pickle",
        "numpy load with allow_pickle",
        "run with a computed shell=",
    ]


RUFF_ONLY = (
    "import os\nimport pickle\nimport subprocess\n\nimport pandas as pd\n\n\n"
    "def f(command, path):\n"
    "    os.system(command)\n"
    "    os.popen(command)\n"
    "    subprocess.run(command, shell=True)\n"
    "    subprocess.getoutput(command)\n"
    "    pd.read_pickle(path)\n"
    "    pickle.loads(path)\n"
)


@pytest.mark.parametrize(
    "where", ["src/lithoflow/probe.py", "workflow/scripts/probe.py", "bench/probe.py"]
)
def test_ruff_flags_the_shell_and_unpickling_this_scan_leaves_to_it(where):
    """The project's ruff configuration checks, in every scanned folder, what the scan above no
    longer looks for: os.system, os.popen, shell=True, subprocess.getoutput, pandas read_pickle
    and pickle.loads."""
    assert ruff_security_findings(RUFF_ONLY, where, project_config=True) == [
        f"{where}:9: S605",
        f"{where}:10: S605",
        f"{where}:11: S602",
        f"{where}:12: S605",
        f"{where}:13: S301",
        f"{where}:14: S301",
    ]


def test_nothing_is_unpickled_and_no_shell_is_run():
    problems = [finding for path in python_files() for finding in findings(path)]
    assert problems == []


def test_rule_files_use_no_pickle_and_no_shell(built_workflow):
    """The Snakefile and every rule file, as Snakemake's parser translates them to Python, pass
    the scan and ruff's S rules, which do not otherwise read them (line numbers are those of the
    translation). The translation embeds the checkout's absolute path, which is replaced first: a
    checkout under /tmp would otherwise read as a hard-coded temporary file (ruff's S108)."""
    compiled = built_workflow.compiled_rule_files
    assert set(compiled) == {str(p.relative_to(REPO_ROOT)) for p in rule_files()}
    problems = [
        finding
        for where, source in compiled.items()
        for text in [source.replace(str(REPO_ROOT), "REPO_ROOT")]
        for finding in [
            *findings_in_source(text, where),
            *ruff_security_findings(text, where, project_config=False),
        ]
    ]
    assert problems == []


def output_wildcards(pattern: str) -> list[tuple[str, str | None]]:
    """(name, constraint or None) of each wildcard in an output pattern."""
    found = []
    depth_start = 0
    while (start := pattern.find("{", depth_start)) != -1:
        # The constraint may itself hold braces (e.g. \\d{2}): match the closing brace by depth.
        depth, end = 0, start
        for end in range(start, len(pattern)):
            depth += {"{": 1, "}": -1}.get(pattern[end], 0)
            if depth == 0:
                break
        body = pattern[start + 1 : end]
        name, _, constraint = body.partition(",")
        found.append((name.strip(), constraint.strip() or None))
        depth_start = end + 1
    return found


def test_output_wildcard_parser():
    assert output_wildcards("a/{x,A|B}/{y}.csv") == [("x", "A|B"), ("y", None)]
    assert output_wildcards("r/{n,\\d{2}}.json") == [("n", "\\d{2}")]


def test_no_rule_has_a_shell_command_or_run_block(built_workflow):
    rules = built_workflow.rules.values()
    assert len(rules) > 15
    assert [r.name for r in rules if r.shell] == []
    assert [r.name for r in rules if r.run] == []
    # Every rule but the target runs a script of workflow/scripts (which the AST scan covers).
    assert [r.name for r in rules if r.name != "all" and not r.script] == []


def test_every_output_wildcard_is_constrained(built_workflow):
    with_wildcards = [r for r in built_workflow.rules.values() if r.wildcards]
    assert {"bin_table", "split_boreholes", "train_vae", "train_classifier"} <= {
        r.name for r in with_wildcards
    }
    problems = []
    for rule in with_wildcards:
        for pattern in [*rule.outputs, *rule.log, rule.benchmark or ""]:
            for name, constraint in output_wildcards(pattern):
                if constraint is None:
                    problems.append(f"{rule.name}: {{{name}}} in {pattern} is unconstrained")
                    continue
                regex = re.compile(constraint)
                for unsafe in ("", "a/b", "../x", "."):
                    if regex.fullmatch(unsafe):
                        problems.append(
                            f"{rule.name}: {{{name}}} pattern {constraint!r} accepts {unsafe!r}"
                        )
    assert problems == []
