"""The workflow's rules as Snakemake builds them (tests/workflow_rules.py), checked structurally.

- every rule but the targets `all` and `predict` writes a log and a benchmark, both per job
  (they hold every wildcard of the rule's outputs, so two jobs of one rule never share a file);
- every such rule names a conda environment file of envs/;
- the training rules, and only they, ask for a GPU, as many as the config says.
"""

from __future__ import annotations

import re
from pathlib import Path

from lithoflow.core.codedeps import library_modules
from tests.support.config import REPO_ROOT, tiny_config
from tests.support.workflow_rules import BuiltWorkflow, load_rules

GPU_RULES = {"train_vae", "train_classifier"}
# Rules that only name files for the command line (`snakemake`, `snakemake predict`).
TARGET_RULES = {"all", "predict"}


def job_rules(built: BuiltWorkflow) -> list:
    return [rule for name, rule in built.rules.items() if name not in TARGET_RULES]


def test_every_rule_has_a_log_and_a_benchmark_per_job(built_workflow):
    rules = job_rules(built_workflow)
    assert len(rules) > 15
    assert [r.name for r in rules if not r.log] == []
    assert [r.name for r in rules if not r.benchmark] == []
    for rule in rules:
        assert all(path.startswith(f"logs/{rule.name}/") for path in rule.log), rule
        assert rule.benchmark.startswith(f"benchmarks/{rule.name}/"), rule
        for path in [*rule.log, rule.benchmark]:
            named = {w for w in rule.wildcards if f"{{{w}" in path}
            assert named == set(rule.wildcards), (rule.name, path)


def test_every_rule_names_a_conda_environment(built_workflow):
    for rule in job_rules(built_workflow):
        assert rule.conda, rule.name
        env = (REPO_ROOT / "workflow" / "rules" / rule.conda).resolve()
        assert env.parent == REPO_ROOT / "envs" and env.is_file(), (rule.name, rule.conda)


def test_only_the_training_rules_ask_for_gpus():
    on_gpus = tiny_config({"compute": {"device": "auto", "gpus_per_training_job": 2}})
    built = load_rules(on_gpus)
    asking = {r.name: r.resources["gpu"] for r in job_rules(built) if r.resources.get("gpu")}
    assert asking == dict.fromkeys(GPU_RULES, 2)
    # Gradient boosting (scikit-learn) trains on the CPU: its rule states gpu=0 outright.
    rules = {r.name: r for r in job_rules(built)}
    assert rules["train_boosting_classifier"].resources["gpu"] == 0


def test_gpu_requests_follow_the_config(built_workflow):
    # The tiny config trains on the CPU and asks for no GPU (0, as on a CPU-only cluster).
    assert tiny_config()["compute"]["gpus_per_training_job"] == 0
    asking = {r.name: r.resources["gpu"] for r in job_rules(built_workflow) if "gpu" in r.resources}
    assert asking == dict.fromkeys([*GPU_RULES, "train_boosting_classifier"], 0)


def test_rule_scripts_exist(built_workflow):
    for rule in job_rules(built_workflow):
        script = (REPO_ROOT / "workflow" / "rules" / rule.script).resolve()
        assert script.parent == REPO_ROOT / "workflow" / "scripts", rule.name
        assert Path(script).is_file(), rule.name


# Packages that not every environment of envs/ holds, and the import that loads each.
OPTIONAL_PACKAGES = ("lasio", "optuna", "skops", "torch")


def test_each_rule_environment_holds_the_packages_its_code_imports(built_workflow, tmp_path):
    # With --use-conda a rule runs in its own environment: every package that its script and the
    # library modules behind it import must be listed there. The predict rules join the tiny
    # config's rules when a predict section names a folder of LAS files.
    (tmp_path / "new_well.las").write_text("~V\n")
    las = {"path": str(tmp_path), "curves": {"GR": ["GR"]}, "label_curve": "LITH"}
    predicting = load_rules(
        tiny_config({"predict": {"run": "direct", "data": {"source": "las", "las": las}}})
    )
    rules = {r.name: r for r in [*job_rules(built_workflow), *job_rules(predicting)]}
    assert {"final_classifier", "predict_borehole", "predict_summary"} <= set(rules)
    missing = {}
    for rule in rules.values():
        script = (REPO_ROOT / "workflow" / "rules" / rule.script).resolve()
        code = [script, *library_modules(script, REPO_ROOT / "src" / "lithoflow")]
        text = "\n".join(path.read_text() for path in code)
        env = (REPO_ROOT / "workflow" / "rules" / rule.conda).resolve().read_text()
        needed = [
            package
            for package in OPTIONAL_PACKAGES
            if re.search(rf"^\s*(import|from) {package}\b", text, re.MULTILINE)
        ]
        absent = [package for package in needed if not re.search(rf"\b{package}\b", env)]
        if absent:
            missing[rule.name] = absent
    assert missing == {}
