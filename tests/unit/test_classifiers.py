"""Classifiers: class weights, architecture, data preparation, end-to-end run and determinism."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from lithoflow.core.errors import InputDataError
from lithoflow.models.classifiers import (
    ClassifierSpec,
    ClassifierTask,
    MLPClassifier,
    build_classifier,
    class_weights,
    load_classifier,
    prepare_classifier_data,
    train_classifier_run,
)
from lithoflow.models.scaling import Scaler, ScalingConfig
from lithoflow.models.vae import VAEConfig, train_vae_run

from .model_data import RARE_GROUP, RARE_LABEL, toy_classifier_data, write_model_inputs

DEFAULTS = {
    "hidden": [64, 32],
    "dropout": 0.3,
    "learning_rate": 1e-3,
    "batch_size": 64,
    "max_epochs": 4,
    "patience": 2,
    "seed": 42,
    "scaler_fit": "train",
}
SCALING = ScalingConfig.from_config(
    {
        "default_transform": "identity",
        "transforms": {
            "MS": "signed_log1p",
            "NGR": "signed_log1p",
            "R": "log1p",
            "G": "log1p",
            "B": "log1p",
        },
    }
)
OUTPUT_FILES = (
    "model.pt",
    "config.json",
    "scaler.json",
    "metrics.json",
    "confusion.csv",
    "predictions.parquet",
    "history.csv",
    "provenance.json",
)


def spec(**overrides) -> ClassifierSpec:
    run = {
        "input": "raw",
        "target": "group",
        "split": "size_balanced",
        "class_weighting": "inverse_frequency",
        "selection_metric": "balanced_accuracy",
    }
    return ClassifierSpec.from_merged("run", {**DEFAULTS, **run, **overrides})


def test_class_weights_hand_computed():
    # counts [3, 1, 0] -> 1/(n+1) = [1/4, 1/2, 1] -> rescaled to sum 3
    weights = class_weights(np.array([0, 0, 0, 1]), 3)
    raw = np.array([0.25, 0.5, 1.0])
    assert weights == pytest.approx(raw * 3 / raw.sum())
    assert weights.sum() == pytest.approx(3.0)
    assert weights.max() / weights.min() == pytest.approx(4.0)


def test_validation_loss_is_the_class_weighted_mean_cross_entropy():
    # methodology.md §7: CrossEntropyLoss(weight=w), mean reduction = Σ w_y·nll / Σ w_y.
    data = toy_classifier_data()
    run_spec = spec(hidden=[8], dropout=0.0, target="lithology")
    weights = class_weights(data.parts["train"].y, len(data.classes))
    model = build_classifier(4, len(data.classes), run_spec)
    task = ClassifierTask(model, data, run_spec, weights, torch.device("cpu"))
    model.eval()
    val_loss = task.evaluate(0)["val_loss"]
    logits = model(torch.as_tensor(data.parts["val"].x, dtype=torch.float32)).detach().numpy()
    logits = logits.astype(np.float64)
    log_softmax = logits - logits.max(axis=1, keepdims=True)
    log_softmax -= np.log(np.exp(log_softmax).sum(axis=1, keepdims=True))
    y = data.parts["val"].y
    nll = -log_softmax[np.arange(len(y)), y]
    assert val_loss == pytest.approx((weights[y] * nll).sum() / weights[y].sum(), rel=1e-5)
    unweighted = ClassifierTask(model, data, run_spec, None, torch.device("cpu"))
    assert unweighted.evaluate(0)["val_loss"] == pytest.approx(nll.mean(), rel=1e-5)


@pytest.mark.parametrize(
    ("n_inputs", "n_classes", "n_params"), [(10, 139, 7371), (10, 14, 3246), (6, 14, 2990)]
)
def test_parameter_counts_match_the_investigation(n_inputs, n_classes, n_params):
    model = MLPClassifier(n_inputs, [64, 32], n_classes, 0.3)
    assert sum(p.numel() for p in model.parameters()) == n_params


def test_dropout_comes_from_the_generator_only():
    model = MLPClassifier(4, [16, 8], 3, 0.5)
    x = torch.ones(20, 4)
    global_state = torch.random.get_rng_state()
    out_a = model(x, torch.Generator().manual_seed(1))
    out_b = model(x, torch.Generator().manual_seed(1))
    out_c = model(x, torch.Generator().manual_seed(2))
    assert torch.equal(out_a, out_b) and not torch.equal(out_a, out_c)
    assert torch.equal(global_state, torch.random.get_rng_state())
    model.eval()
    assert torch.equal(model(x), model(x))  # no dropout in eval mode


def test_spec_merges_run_over_defaults():
    classifiers = {
        "defaults": DEFAULTS,
        "runs": {
            "v": {
                "input": "embedding",
                "vae": "m",
                "target": "lithology",
                "split": "random",
                "class_weighting": "none",
                "selection_metric": "accuracy",
                "patience": 7,
            }
        },
    }
    merged = ClassifierSpec.from_config(classifiers, "v")
    assert merged.patience == 7 and merged.max_epochs == DEFAULTS["max_epochs"]
    assert merged.vae == "m" and merged.hidden == (64, 32)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("classifier_inputs")
    paths = write_model_inputs(root)
    vae = VAEConfig.from_config(
        {
            "split": "size_balanced",
            "train_on": "train",
            "scaler_fit": "train",
            "hidden": [32, 16],
            "latent_dim": 10,
            "beta_start": 1e-10,
            "beta_end": 0.75,
            "beta_warmup_epochs": 2,
            "learning_rate": 1e-3,
            "batch_size": 64,
            "epochs": 3,
            "seed": 42,
        }
    )
    train_vae_run(
        name="v",
        config=vae,
        scaling=SCALING,
        features_path=paths["features"],
        split_paths=paths["splits"],
        output_dir=root / "vae",
        device=torch.device("cpu"),
    )
    return {**paths, "embeddings": root / "vae" / "embeddings.parquet", "root": root}


def test_prepare_groups_raw_inputs(inputs):
    data = prepare_classifier_data(
        spec(), inputs["splits"], SCALING, mapping_path=inputs["mapping"]
    )
    assert list(data.classes) == sorted(data.classes)
    assert RARE_GROUP in data.classes
    train_classes = {data.classes[i] for i in np.unique(data.parts["train"].y)}
    assert RARE_GROUP not in train_classes  # only in test
    assert data.input_columns == ["GRA", "MS", "NGR", "R", "G", "B"]
    assert data.scaler.n_samples == data.parts["train"].n_rows
    assert np.allclose(data.parts["train"].x.mean(axis=0), 0, atol=1e-9)
    assert data.leakage is None


def test_prepare_embedding_inputs_and_leakage(inputs):
    run = spec(input="embedding", vae="v", target="lithology")
    data = prepare_classifier_data(
        run, inputs["splits"], SCALING, embeddings_path=inputs["embeddings"]
    )
    assert data.input_columns == [f"mu_{i}" for i in range(10)]
    assert RARE_LABEL in data.classes
    assert data.leakage["test_boreholes"] == 2
    assert data.leakage["test_boreholes_seen_by_vae"] == 0  # the VAE saw train boreholes only


def test_unmapped_labels_and_missing_embeddings_raise(inputs, tmp_path):
    mapping = pd.read_csv(inputs["mapping"])
    mapping = mapping[mapping["Principal_Lithology"] != RARE_LABEL]
    partial = tmp_path / "mapping.csv"
    mapping.to_csv(partial, index=False)
    with pytest.raises(InputDataError, match=RARE_LABEL):
        prepare_classifier_data(spec(), inputs["splits"], SCALING, mapping_path=partial)
    table = pd.read_parquet(inputs["embeddings"]).iloc[5:]
    from lithoflow.core.io import read_parquet_metadata, write_parquet

    cut = tmp_path / "embeddings.parquet"
    write_parquet(cut, table, read_parquet_metadata(inputs["embeddings"]))
    run = spec(input="embedding", vae="v", target="lithology")
    with pytest.raises(InputDataError, match="no VAE embedding"):
        prepare_classifier_data(run, inputs["splits"], SCALING, embeddings_path=cut)


def run_once(inputs, out, run_spec):
    return train_classifier_run(
        spec=run_spec,
        split_paths=inputs["splits"],
        scaling=SCALING,
        output_dir=out,
        device=torch.device("cpu"),
        embeddings_path=inputs["embeddings"] if run_spec.input == "embedding" else None,
        mapping_path=inputs["mapping"] if run_spec.target == "group" else None,
        resume_dir=out.parent / ".resume" / out.name,
        workflow_dir=".",
    )


def test_end_to_end_run_writes_every_file_and_is_reproducible(inputs, tmp_path):
    run_spec = spec(input="embedding", vae="v", target="group")
    metrics = run_once(inputs, tmp_path / "a" / "run", run_spec)
    run_once(inputs, tmp_path / "b" / "run", run_spec)
    for name in OUTPUT_FILES:
        assert (tmp_path / "a" / "run" / name).is_file(), name
    assert not (tmp_path / "a" / ".resume" / "run").exists()  # resume state removed on success
    first = (tmp_path / "a" / "run" / "metrics.json").read_bytes()
    assert first == (tmp_path / "b" / "run" / "metrics.json").read_bytes()

    saved = json.loads(first)
    for key in (
        "accuracy",
        "balanced_accuracy",
        "macro_f1",
        "per_class_recall",
        "classes_absent_from_test",
        "classes_absent_from_train",
        "classes_absent_from_val",
        "class_weight_ratio",
        "stop_epoch",
        "best_epoch",
        "best_validation",
        "rows",
        "boreholes",
        "spec",
        "leakage",
    ):
        assert key in saved, key
    assert saved["classes_absent_from_train"] == [RARE_GROUP]
    assert saved["rows"]["test"] > 0 and saved["boreholes"] == {"train": 8, "val": 2, "test": 2}
    assert 1 <= saved["best_epoch"] <= saved["stop_epoch"] <= DEFAULTS["max_epochs"]
    assert saved["balanced_accuracy"] == pytest.approx(metrics["balanced_accuracy"])

    predictions = pd.read_parquet(tmp_path / "a" / "run" / "predictions.parquet")
    assert list(predictions.columns) == ["borehole_id", "depth_bin_m", "true", "predicted", "part"]
    assert set(predictions["part"]) == {"train", "val", "test"}
    test = predictions[predictions["part"] == "test"]
    assert (test["true"] == test["predicted"]).mean() == pytest.approx(saved["accuracy"])
    confusion = pd.read_csv(tmp_path / "a" / "run" / "confusion.csv")
    assert confusion["count"].sum() == len(test)

    model, _, config = load_classifier(tmp_path / "a" / "run")
    assert not model.training and config["classes"] == saved["classes"]
    state = torch.load(tmp_path / "a" / "run" / "model.pt", weights_only=True)
    assert set(state) == set(model.state_dict())


def test_raw_input_run_saves_its_train_fitted_scaler(inputs, tmp_path):
    run_spec = spec(class_weighting="none", selection_metric="loss")
    metrics = run_once(inputs, tmp_path / "raw", run_spec)
    scaler = Scaler.from_json(tmp_path / "raw" / "scaler.json")
    assert scaler.n_samples == metrics["rows"]["train"]
    assert scaler.transforms[1] == "signed_log1p"
    assert metrics["class_weight_ratio"] == 1.0 and metrics["leakage"] is None


def test_penalty_matrix_only_for_lithology_targets():
    assert spec(target="lithology", penalty_matrix="p.csv").penalty_matrix == "p.csv"
    assert spec(target="group", penalty_matrix="p.csv").penalty_matrix is None
    assert "penalty_matrix" not in spec(target="group").to_dict()  # specs without it unchanged
    classifiers = {"defaults": DEFAULTS, "penalty_matrix": "p.csv", "runs": {"r": {
        "input": "raw", "target": "lithology", "split": "random",
        "class_weighting": "none", "selection_metric": "accuracy"}}}  # fmt: skip
    assert ClassifierSpec.from_config(classifiers, "r").penalty_matrix == "p.csv"
