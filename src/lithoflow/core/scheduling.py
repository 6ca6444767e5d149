"""Which training jobs start first: an estimate of each job's length, for Snakemake's `priority`.

With as many ready jobs as cores, Snakemake starts the ones of highest priority. Starting the
longest first (the longest-processing-time rule) keeps the cores busy until the end instead of
leaving one long job running alone while the other cores idle. Outputs never depend on the order.

The estimates are seconds on one CPU core at the full simulated scale (≈ 241 k rows), read off
the rule benchmarks of a full-scale default run; only their order matters, and a wrong estimate
costs time, never correctness.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Seconds per fit (one replicate or fold): the MLP classifier (100 epochs at most), gradient
# boosting on the raw features, and gradient boosting on a depth-context table.
MLP_FIT_SECONDS = 30.0
BOOSTING_FIT_SECONDS = 25.0
BOOSTING_CONTEXT_FIT_SECONDS = 80.0
# Seconds per 100 epochs of a VAE: the plain VAE (hand-written step), the kinds trained with
# autograd, and the β-TCVAE, whose estimator compares every pair of rows in a batch.
VAE_SECONDS = {"vae": 40.0, "semi_supervised": 120.0, "beta_tcvae": 1700.0}


def classifier_fits(settings: Mapping[str, Any]) -> int:
    """How many models a classifier run fits: its replicates, times its folds under K-fold."""
    replicates = int(settings.get("replicates", 1))
    if settings.get("evaluation") == "group_kfold":
        return replicates * int(settings.get("folds", 1))
    return replicates


def classifier_priority(settings: Mapping[str, Any]) -> int:
    """Estimated seconds of a classifier run (its settings merged over the defaults)."""
    if settings.get("model") == "gradient_boosting":
        per_fit = BOOSTING_CONTEXT_FIT_SECONDS if settings.get("context") else BOOSTING_FIT_SECONDS
    else:
        per_fit = MLP_FIT_SECONDS
    return round(per_fit * classifier_fits(settings))


def vae_priority(settings: Mapping[str, Any]) -> int:
    """Estimated seconds of a VAE's training (its config entry)."""
    per_100_epochs = VAE_SECONDS.get(str(settings.get("kind", "vae")), VAE_SECONDS["vae"])
    return round(per_100_epochs * int(settings.get("epochs", 100)) / 100)
