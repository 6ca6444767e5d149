"""Partial reruns: after a complete run, each kind of change reruns exactly the affected jobs.

Each test edits a copy of the suite's complete tiny run (tests/workflow/conftest.py) and reads the
jobs that `snakemake --dry-run` would run: the job blocks of its output ("rule NAME:" with the
job's "wildcards:" and "input:" lines), checked against its own "Job stats" table
(tests/support/dry_run.py: parse_dry_run). Jobs are named "rule" or "rule[wildcard=value]".
"""

from __future__ import annotations

import os

import pytest

from tests.workflow.helpers import REPO_ROOT, tiny_config
from tests.workflow.runs import job_names, planned_jobs

pytestmark = pytest.mark.workflow

LIBRARY = REPO_ROOT / "src" / "lithoflow"
SPLIT_METHODS = ("random", "size_balanced", "entropy_balanced")
FIGURE_JOBS = {
    "distribution_figure[level=lithology]",
    "distribution_figure[level=group]",
    "split_mismatch_figure",
    "hierarchy_dendrogram",
    "reconstruction_figure",
    "plot_simulation_realism",
    "anomaly_figure",
    "leaderboard",  # draws the leaderboard figure
    "vae_comparison_figure",
}


@pytest.fixture(scope="module")
def every_job(tmp_path_factory) -> set[str]:
    """The jobs of a complete run of tiny_config() (a dry run in an empty folder)."""
    return job_names(planned_jobs(tmp_path_factory.mktemp("empty"), tiny_config()))


def test_nothing_changed_nothing_to_do(completed_run):
    assert planned_jobs(completed_run) == []


def test_touched_raw_table_rebins_it_and_reruns_what_depends_on_it(run_copy, every_job):
    workdir = run_copy()
    raw = workdir / "results/raw/MS_DataLITH.csv"
    newer_ns = max(p.stat().st_mtime_ns for p in (workdir / "results").rglob("*")) + 10**9
    os.utime(raw, ns=(newer_ns, newer_ns))

    jobs = job_names(planned_jobs(workdir))

    assert {j for j in jobs if j.startswith("bin_table")} == {"bin_table[table=MS]"}
    assert "simulate_lily" not in jobs
    # Every job downstream of the merged table reruns, nothing upstream of it.
    upstream = {"simulate_lily"} | {f"bin_table[table={t}]" for t in ("GRA", "NGR", "RGB")}
    assert jobs == every_job - upstream


def test_classifier_hyperparameter_reruns_that_classifier_and_the_summary(run_copy):
    workdir = run_copy()
    config = tiny_config({"classifiers": {"runs": {"direct": {"dropout": 0.2}}}})

    jobs = job_names(planned_jobs(workdir, config))

    assert jobs == {
        "train_classifier[run=direct]",
        "investigation_summary",
        "leaderboard",
        "simulation_model_realism",  # direct repeats one of the investigation's runs
    }


def test_hierarchy_rules_rerun_group_steps_but_not_splits_vae_or_lithology_models(run_copy):
    workdir = run_copy()
    config = tiny_config()
    groups = {group["name"]: group for group in config["hierarchy"]["groups"]}
    groups["Carbonate"]["keywords"].remove("marl")  # "marl" now falls under Clay/Mud ...
    groups["Clay/Mud"]["keywords"].insert(0, "marl")  # ... ahead of "mud"

    jobs = job_names(planned_jobs(workdir, config))

    assert jobs == {
        "lithology_hierarchy",
        "group_distribution",
        "distribution_figure[level=group]",
        *(f"split_report[method={m}]" for m in SPLIT_METHODS),
        "split_mismatch",
        "split_mismatch_figure",
        "train_classifier[run=v1_1]",
        "train_classifier[run=direct]",
        # the VAE sweep's classifiers (v1_1's recipe) target groups, and the semi-supervised
        # VAE learns them through its auxiliary head; the comparison table reads both
        *(f"train_classifier[run=v1_1_{v}]" for v in ("latent20", "beta025", "tcvae", "semisup")),
        "train_vae[vae=semisup]",
        "vae_comparison",
        "vae_comparison_figure",
        *(  # the gradient-boosting runs target groups too
            f"train_boosting_classifier[run={r}]"
            for r in ("boosting", "boosting_context", "boosting_cv")
        ),
        # the data-driven mapping is rebuilt from the expert one, so its run follows
        "train_boosting_classifier[run=boosting_data_group]",
        "leaderboard",
        "simulation_model_realism",
        "validate_hierarchy",
        "hierarchy_dendrogram",
        "validate_reconstruction",  # its per-group errors read the mapping
        "reconstruction_figure",
        "anomalies",  # from the per-row errors, rewritten with the groups
        "anomaly_figure",
        "anomaly_recall",  # scores the anomalies against the injected truth
        "data_driven_hierarchy",  # compared with the expert mapping
        "investigation_summary",
    }
    assert not any(j.startswith(("split_boreholes", "merge_tables")) for j in jobs)
    # of the VAEs, only the one whose objective uses the groups
    assert {j for j in jobs if j.startswith("train_vae")} == {"train_vae[vae=semisup]"}


@pytest.mark.parametrize("key, value", [("dpi", 97), ("style", "ticks")])
def test_figure_style_reruns_only_the_figures(run_copy, key, value):
    workdir = run_copy()
    config = tiny_config({"figures": {key: value}})

    assert job_names(planned_jobs(workdir, config)) == FIGURE_JOBS


def test_library_modules_are_inputs_of_exactly_the_rules_that_use_them(every_job, tmp_path):
    """Editing a library module reruns the rules whose scripts import it, and only those: the
    modules are inputs (mtime-tracked) of those rules alone. Checked on the DAG's inputs, since
    the tests must not edit the repository's files."""
    jobs = planned_jobs(tmp_path, tiny_config())
    inputs = {job.name: set(job.inputs) for job in jobs}
    vae_module = str(LIBRARY / "vae" / "network.py")
    classifier_module = str(LIBRARY / "classifiers" / "run.py")
    binning_module = str(LIBRARY / "ingest" / "binning.py")

    assert vae_module in inputs["train_vae[vae=v2_6_7]"]
    assert vae_module in inputs["validate_reconstruction"]  # it loads the VAE to decode μ
    for name in ("bin_table[table=MS]", "merge_tables", "split_boreholes[method=random]"):
        assert vae_module not in inputs[name], name
    assert classifier_module in inputs["train_classifier[run=direct]"]
    assert classifier_module not in inputs["train_vae[vae=v2_6_7]"]
    assert binning_module in inputs["bin_table[table=MS]"]
    assert binning_module not in inputs["train_vae[vae=v2_6_7]"]
    # No figure rule depends on model code, so model edits never redraw figures only.
    for name in FIGURE_JOBS:
        assert vae_module not in inputs[name] and classifier_module not in inputs[name], name
    assert set(inputs) - {"all"} == every_job
