"""The job-length estimates behind the training rules' Snakemake priorities."""

from pathlib import Path

import yaml

from lithoflow.core.config import merged_run_settings
from lithoflow.core.scheduling import (
    classifier_fits,
    classifier_priority,
    vae_priority,
)

REPO = Path(__file__).resolve().parents[2]


def test_fits_count_replicates_and_folds():
    assert classifier_fits({"replicates": 3, "evaluation": "split", "folds": 5}) == 3
    assert classifier_fits({"replicates": 2, "evaluation": "group_kfold", "folds": 5}) == 10
    assert classifier_fits({}) == 1


def test_longer_jobs_get_higher_priorities():
    mlp = {"model": "mlp", "replicates": 3}
    boosting = {"model": "gradient_boosting", "replicates": 3}
    context = {**boosting, "context": "window"}
    assert classifier_priority(context) > classifier_priority(mlp) > classifier_priority(boosting)
    assert classifier_priority({**mlp, "replicates": 6}) == 2 * classifier_priority(mlp)
    plain, semisup = {"kind": "vae", "epochs": 100}, {"kind": "semi_supervised", "epochs": 100}
    tcvae = {"kind": "beta_tcvae", "epochs": 100}
    assert vae_priority(tcvae) > vae_priority(semisup) > vae_priority(plain) > 0
    assert vae_priority({"epochs": 50}) == vae_priority(plain) // 2  # kind defaults to vae


def test_the_default_config_starts_its_depth_context_boosting_first():
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    classifiers = config["classifiers"]
    priorities = {
        run: classifier_priority(merged_run_settings(classifiers, run))
        for run in classifiers["runs"]
    }
    assert max(priorities, key=priorities.get) == "boosting_context"
    assert all(isinstance(p, int) and p > 0 for p in priorities.values())
