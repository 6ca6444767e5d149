"""The job-length estimates behind the training rules' Snakemake priorities."""

from lithoflow.settings import Settings
from tests.support.config import classifier_spec, load_default_config, vae_config, validated


def test_fits_count_replicates_and_folds():
    assert classifier_spec(replicates=3).fits == 3
    assert classifier_spec(replicates=2, evaluation="group_kfold", folds=5).fits == 10


def test_longer_jobs_get_higher_priorities():
    mlp = classifier_spec(model="mlp", replicates=3)
    boosting = classifier_spec(model="gradient_boosting", replicates=3)
    context = classifier_spec(model="gradient_boosting", replicates=3, context="window")
    assert context.priority > mlp.priority > boosting.priority
    assert classifier_spec(model="mlp", replicates=6).priority == 2 * mlp.priority
    plain = vae_config(epochs=100)
    semisup = vae_config(kind="semi_supervised", aux_target="group", aux_weight=1.0)
    tcvae = vae_config(kind="beta_tcvae", tc_weight=6.0)
    assert tcvae.priority > semisup.priority > plain.priority > 0
    assert vae_config(epochs=50).priority == plain.priority // 2


def test_the_default_config_starts_its_depth_context_boosting_first():
    settings = Settings.from_config(validated(load_default_config()))
    priorities = {run: spec.priority for run, spec in settings.classifiers.items()}
    assert max(priorities, key=priorities.get) == "boosting_context"
    assert all(isinstance(p, int) and p > 0 for p in priorities.values())
