"""Classifiers: class weights, architecture, data preparation, end-to-end run and determinism."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from lithoflow.classifiers.data import ClassifierInputs, prepare_classifier_data
from lithoflow.classifiers.mlp import ClassifierTask, MLPClassifier, build_mlp
from lithoflow.classifiers.run import (
    class_weights,
    load_classifier,
    train_classifier_run,
    weights_of,
)
from lithoflow.classifiers.spec import ClassifierSpec
from lithoflow.core.errors import InputDataError
from lithoflow.features.scaling import Scaler, ScalingConfig
from lithoflow.hierarchy.mapping import UNSEEN_GROUP
from lithoflow.vae.run import train_vae_run
from tests.support.config import classifier_spec, vae_config, with_defaults
from tests.support.model_data import (
    RARE_GROUP,
    RARE_LABEL,
    SMALL_BOOSTING,
    toy_classifier_data,
    write_model_inputs,
    write_small_context,
)

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


def with_schema_defaults(classifiers: dict) -> dict:
    """A classifiers section validated in config.yaml, its schema defaults filled in."""
    return with_defaults({"classifiers": classifiers})["classifiers"]


OUTPUT_FILES = (
    "model.pt",
    "boreholes.csv",
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
    return classifier_spec("run", **{**DEFAULTS, **run, **overrides})


def test_class_weights_hand_computed():
    # counts [3, 1, 0] -> 1/(n+1) = [1/4, 1/2, 1] -> rescaled to sum 3
    weights = class_weights(np.array([0, 0, 0, 1]), 3)
    raw = np.array([0.25, 0.5, 1.0])
    assert weights == pytest.approx(raw * 3 / raw.sum())
    assert weights.sum() == pytest.approx(3.0)
    assert weights.max() / weights.min() == pytest.approx(4.0)


def test_sqrt_inverse_frequency_weights_are_the_milder_push():
    # counts [3, 1, 0] -> 1/sqrt(n+1) = [1/2, 1/sqrt(2), 1] -> rescaled to sum 3
    weights = weights_of("sqrt_inverse_frequency", np.array([0, 0, 0, 1]), 3)
    raw = np.array([0.5, 2**-0.5, 1.0])
    assert weights == pytest.approx(raw * 3 / raw.sum())
    assert weights.max() / weights.min() == pytest.approx(2.0)
    assert weights_of("none", np.array([0, 1]), 2) is None


def test_validation_loss_is_the_class_weighted_mean_cross_entropy():
    # docs/investigation.md §7: CrossEntropyLoss(weight=w), mean reduction = Σ w_y·nll / Σ w_y.
    data = toy_classifier_data()
    run_spec = spec(hidden=[8], dropout=0.0, target="lithology")
    n_classes = len(data.classes)
    weights = class_weights(data.parts["train"][1], n_classes)
    model = build_mlp(4, n_classes, run_spec.mlp, run_spec.seed)
    cpu = torch.device("cpu")

    def task(w):
        train, val = data.parts["train"], data.parts["val"]
        return ClassifierTask(model, train, val, n_classes, run_spec.mlp, 42, w, cpu)

    model.eval()
    val_loss = task(weights).evaluate(0)["val_loss"]
    x_val, y = data.parts["val"]
    logits = model(torch.as_tensor(x_val, dtype=torch.float32)).detach().numpy()
    logits = logits.astype(np.float64)
    log_softmax = logits - logits.max(axis=1, keepdims=True)
    log_softmax -= np.log(np.exp(log_softmax).sum(axis=1, keepdims=True))
    nll = -log_softmax[np.arange(len(y)), y]
    assert val_loss == pytest.approx((weights[y] * nll).sum() / weights[y].sum(), rel=1e-5)
    unweighted = task(None)
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
    merged = ClassifierSpec.from_config(with_schema_defaults(classifiers), "v")
    assert merged.patience == 7 and merged.max_epochs == DEFAULTS["max_epochs"]
    assert merged.vae == "m" and merged.hidden == (64, 32)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("classifier_inputs")
    paths = write_model_inputs(root)
    vae = vae_config(beta_warmup_epochs=2, batch_size=64, epochs=3)
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


def files(inputs, **extra) -> ClassifierInputs:
    return ClassifierInputs(split_paths=inputs["splits"], **extra)


def test_prepare_groups_raw_inputs(inputs):
    data = prepare_classifier_data(spec(), files(inputs, mapping_path=inputs["mapping"]), SCALING)
    assert list(data.classes) == sorted(data.classes)
    assert RARE_GROUP in data.classes
    train_classes = {data.classes[i] for i in np.unique(data.y[data.part == "train"])}
    assert RARE_GROUP not in train_classes  # only in test
    assert data.input_columns == ["GRA", "MS", "NGR", "R", "G", "B"]
    assert data.transforms[1] == "signed_log1p"
    train = pd.read_parquet(inputs["splits"]["train"])
    np.testing.assert_array_equal(data.x[data.part == "train"], train[data.input_columns])
    assert data.leakage is None


def test_prepare_embedding_inputs_and_leakage(inputs):
    run = spec(input="embedding", vae="v", target="lithology")
    data = prepare_classifier_data(
        run, files(inputs, embeddings_path=inputs["embeddings"]), SCALING
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
        prepare_classifier_data(spec(), files(inputs, mapping_path=partial), SCALING)
    table = pd.read_parquet(inputs["embeddings"]).iloc[5:]
    from lithoflow.core.io import read_parquet_metadata, write_parquet

    cut = tmp_path / "embeddings.parquet"
    write_parquet(cut, table, read_parquet_metadata(inputs["embeddings"]))
    run = spec(input="embedding", vae="v", target="lithology")
    with pytest.raises(InputDataError, match="no VAE embedding"):
        prepare_classifier_data(run, files(inputs, embeddings_path=cut), SCALING)


def run_once(inputs, out, run_spec):
    kfold = run_spec.evaluation == "group_kfold"
    return train_classifier_run(
        spec=run_spec,
        files=ClassifierInputs(
            split_paths=None if kfold else inputs["splits"],
            features_path=inputs["features"] if kfold else None,
            embeddings_path=inputs["embeddings"] if run_spec.input == "embedding" else None,
            mapping_path=inputs["mapping"] if run_spec.target == "group" else None,
            context_path=inputs.get("context") if run_spec.context else None,
        ),
        scaling=SCALING,
        output_dir=out,
        device=torch.device("cpu"),
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
    assert list(predictions.columns) == [
        "borehole_id", "depth_bin_m", "true", "predicted", "part", "replicate", "fold"
    ]  # fmt: skip
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
    assert (
        ClassifierSpec.from_config(with_schema_defaults(classifiers), "r").penalty_matrix == "p.csv"
    )


BOOSTING = SMALL_BOOSTING


def boosting_spec(**overrides) -> ClassifierSpec:
    return spec(model="gradient_boosting", gradient_boosting=BOOSTING, **overrides)


def test_replicates_give_intervals_and_replicate_zero_keeps_the_seed(inputs, tmp_path):
    single = run_once(inputs, tmp_path / "one" / "run", spec())
    three = run_once(inputs, tmp_path / "three" / "run", spec(replicates=3))
    assert single["n_units"] == 1 and three["n_units"] == 3
    assert three["units"][0]["seed"] == 42 and len({u["seed"] for u in three["units"]}) == 3
    assert three["units"][0]["balanced_accuracy"] == single["balanced_accuracy"]
    values = [u["balanced_accuracy"] for u in three["units"]]
    interval = three["intervals"]["balanced_accuracy"]
    assert three["balanced_accuracy"] == pytest.approx(np.mean(values))
    assert interval["n"] == 3 and interval["low"] <= np.mean(values) <= interval["high"]
    assert single["intervals"]["balanced_accuracy"]["low"] is None or np.isnan(
        float(single["intervals"]["balanced_accuracy"]["low"])
    )
    predictions = pd.read_parquet(tmp_path / "three" / "run" / "predictions.parquet")
    assert sorted(predictions["replicate"].unique()) == [0, 1, 2]
    # in-sample rows once (replicate 0), test rows of every replicate
    parts = predictions.groupby("replicate")["part"].unique().map(sorted)
    assert parts.to_dict() == {0: ["test", "train", "val"], 1: ["test"], 2: ["test"]}
    for unit in three["units"]:
        test = predictions[
            (predictions["part"] == "test") & (predictions["replicate"] == unit["replicate"])
        ]
        assert (test["true"] == test["predicted"]).mean() == pytest.approx(unit["accuracy"])


def test_gradient_boosting_run_saves_with_skops_and_reloads_to_identical_predictions(
    inputs, tmp_path
):
    out = tmp_path / "gb" / "run"
    metrics = run_once(inputs, out, boosting_spec(missing="native", bootstrap=50))
    assert (out / "model.skops").is_file() and not (out / "model.pt").exists()
    assert metrics["model"] == "gradient_boosting" and metrics["balanced_accuracy"] > 0.3
    assert metrics["bootstrap"]["accuracy"]["n"] == 2  # two test boreholes resampled
    model, _, config = load_classifier(out)
    assert config["architecture"]["kind"] == "gradient_boosting"
    test = pd.read_parquet(inputs["splits"]["test"])
    x = test[config["model_inputs"]].to_numpy()
    predictions = pd.read_parquet(out / "predictions.parquet")
    saved = predictions[predictions["part"] == "test"]["predicted"].to_numpy()
    names = np.asarray(config["classes"], dtype=object)
    np.testing.assert_array_equal(
        names[model.classes_[model.predict_proba(x).argmax(axis=1)]], saved
    )


def test_group_kfold_predicts_every_borehole_once_out_of_fold(inputs, tmp_path):
    metrics = run_once(inputs, tmp_path / "cv" / "run", spec(evaluation="group_kfold", folds=4))
    assert metrics["evaluation"] == "group_kfold" and metrics["n_units"] == 4
    predictions = pd.read_parquet(tmp_path / "cv" / "run" / "predictions.parquet")
    assert set(predictions["part"]) == {"test"}
    folds_per_borehole = predictions.groupby("borehole_id")["fold"].nunique()
    assert (folds_per_borehole == 1).all() and len(folds_per_borehole) == 12
    features = pd.read_parquet(inputs["features"])
    assert len(predictions) == len(features)  # every row predicted exactly once
    assert metrics["intervals"]["accuracy"]["n"] == 4
    boreholes = pd.read_csv(tmp_path / "cv" / "run" / "boreholes.csv")
    assert set(boreholes["borehole_id"]) == set(features["borehole_id"])
    # every class is tested by some fold; the fold that tests the rare group never trained on it
    assert metrics["classes_absent_from_test"] == []
    assert RARE_GROUP in metrics["classes_absent_from_train"]


def test_cv_pool_train_val_keeps_the_test_boreholes_out_of_every_fold(inputs, tmp_path):
    out = tmp_path / "pool" / "run"
    run_spec = spec(evaluation="group_kfold", folds=3, cv_pool="train_val")
    train_classifier_run(
        spec=run_spec,
        files=ClassifierInputs(split_paths=inputs["splits"], mapping_path=inputs["mapping"]),
        scaling=SCALING,
        output_dir=out,
        device=torch.device("cpu"),
        workflow_dir=".",
    )
    predicted = set(pd.read_parquet(out / "predictions.parquet")["borehole_id"])
    parts = {p: set(pd.read_parquet(inputs["splits"][p])["borehole_id"]) for p in inputs["splits"]}
    assert predicted == parts["train"] | parts["val"]
    assert not predicted & parts["test"]
    trained_on = set(pd.read_csv(out / "boreholes.csv")["borehole_id"])
    assert not trained_on & parts["test"]


@pytest.fixture(scope="module")
def gappy(inputs, tmp_path_factory):
    """The inputs with PEF-like gaps: one training borehole lacks NGR entirely."""
    root = tmp_path_factory.mktemp("gappy")
    splits = {}
    for part, path in inputs["splits"].items():
        from lithoflow.core.dataset import read_dataset, write_dataset

        dataset = read_dataset(path)
        frame = dataset.frame.copy()
        if part == "train":
            first = frame["borehole_id"].iloc[0]
            frame.loc[frame["borehole_id"] == first, "NGR"] = np.nan
        splits[part] = root / f"{part}.parquet"
        write_dataset(splits[part], frame, dataset.features)
    return {**inputs, "splits": splits}


def test_missing_policies(gappy, tmp_path):
    dropped = run_once(gappy, tmp_path / "drop" / "run", spec())
    use = dropped["data_use"]
    assert use["rows_dropped_for_missing_values"]["train"] == 40
    assert len(use["boreholes_lost_to_missing_values"]["train"]) == 1
    assert dropped["boreholes"]["train"] == 7
    imputed = run_once(
        gappy, tmp_path / "impute" / "run", spec(missing="impute", missing_indicators=True)
    )
    assert imputed["boreholes"]["train"] == 8 and imputed["data_use"]["inputs"] == 7
    config = json.loads((tmp_path / "impute" / "run" / "config.json").read_text())
    assert config["imputer"]["indicator_columns"] == ["NGR"]
    native = run_once(gappy, tmp_path / "native" / "run", boosting_spec(missing="native"))
    assert native["rows"]["train"] == 320
    with pytest.raises(InputDataError, match="missing: native, which mlp cannot take"):
        run_once(gappy, tmp_path / "bad" / "run", spec(missing="native"))


def test_smoothing_and_context_change_the_inputs_and_predictions(inputs, tmp_path):

    context = tmp_path / "context.parquet"
    write_small_context(inputs["features"], context)
    with_context = {**inputs, "context": context}
    smoothed_spec = boosting_spec(
        context="window",
        smoothing={"method": "mode", "window_m": 1.0, "max_gap_m": 0.3},
    )
    metrics = run_once(with_context, tmp_path / "ctx" / "run", smoothed_spec)
    config = json.loads((tmp_path / "ctx" / "run" / "config.json").read_text())
    assert "GRA_above1" in config["model_inputs"] and "GRA_mean1m" in config["model_inputs"]
    plain = boosting_spec(context="window")
    run_once(with_context, tmp_path / "plain" / "run", plain)

    def changes_along_depth(folder):
        predictions = pd.read_parquet(folder / "predictions.parquet")
        test = predictions[predictions["part"] == "test"]
        test = test.sort_values(["borehole_id", "depth_bin_m"])
        return sum(
            int((hole["predicted"].to_numpy()[1:] != hole["predicted"].to_numpy()[:-1]).sum())
            for _, hole in test.groupby("borehole_id")
        )

    # the mode filter merges isolated rows into the beds around them
    assert changes_along_depth(tmp_path / "ctx" / "run") < changes_along_depth(
        tmp_path / "plain" / "run"
    )
    assert metrics["spec"]["smoothing"]["method"] == "mode"


# --- target data_group: labels through the data-driven mapping ------------------------------------

DATA_GROUPS = {"nannofossil ooze": "D1", "chalk": "D1", "clay": "D2", "silty clay": "D2",
               "sand": "D2", "basalt": "D3"}  # fmt: skip


def data_driven_mapping(inputs, tmp_path, groups=DATA_GROUPS, rare=UNSEEN_GROUP):
    """A data-driven mapping CSV: the rare test-only label could not be placed (unseen)."""
    mapping = {**groups, **({RARE_LABEL: rare} if rare else {})}
    path = tmp_path / "data_driven_mapping.csv"
    pd.DataFrame(
        {"Principal_Lithology": list(mapping), "Lithology_Group": list(mapping.values()),
         "Count": 1, "Percentage": 1.0}
    ).to_csv(path, index=False)  # fmt: skip
    return path


def test_data_group_targets_count_unplaced_labels_and_keep_them_as_their_group(inputs, tmp_path):
    path = data_driven_mapping(inputs, tmp_path)
    data = prepare_classifier_data(
        spec(target="data_group"), files(inputs, mapping_path=path), SCALING
    )
    assert data.classes == ("D1", "D2", "D3", UNSEEN_GROUP)
    test = pd.read_parquet(inputs["splits"]["test"])
    rare_rows = int((test["label"] == RARE_LABEL).sum())
    assert rare_rows == 3
    assert data.unplaced["labels"] == [RARE_LABEL] and data.unplaced["rows"] == rare_rows
    assert data.unplaced["rows_by_part"] == {"test": rare_rows, "train": 0, "val": 0}
    expected = [{**DATA_GROUPS, RARE_LABEL: UNSEEN_GROUP}[label] for label in test["label"]]
    assert [data.classes[i] for i in data.y[data.part == "test"]] == expected


def test_data_group_label_missing_from_the_mapping_is_an_error_counting_rows(inputs, tmp_path):
    path = data_driven_mapping(inputs, tmp_path, rare=None)
    with pytest.raises(InputDataError, match=rf"3 row\(s\) of 1 label\(s\).*{RARE_LABEL}"):
        prepare_classifier_data(
            spec(target="data_group"), files(inputs, mapping_path=path), SCALING
        )
    with pytest.raises(InputDataError, match="needs its hierarchy mapping"):
        prepare_classifier_data(spec(target="data_group"), files(inputs), SCALING)


@pytest.mark.parametrize(
    "run_spec",
    [
        spec(target="data_group"),
        boosting_spec(target="data_group", missing="native"),
        spec(target="data_group", input="embedding", vae="v"),
    ],
    ids=["mlp-raw", "boosting-raw", "mlp-embedding"],
)
def test_data_group_runs_record_the_unplaced_rows(inputs, tmp_path, run_spec):
    path = data_driven_mapping(inputs, tmp_path)
    metrics = train_classifier_run(
        spec=run_spec,
        files=files(
            inputs,
            mapping_path=path,
            embeddings_path=inputs["embeddings"] if run_spec.input == "embedding" else None,
        ),
        scaling=SCALING,
        output_dir=tmp_path / "run",
        device=torch.device("cpu"),
        workflow_dir=".",
    )
    assert metrics["classes"] == ["D1", "D2", "D3", UNSEEN_GROUP]
    assert metrics["spec"]["target"] == "data_group"
    unplaced = metrics["data_use"]["rows_without_data_group"]
    assert unplaced["rows"] == 3 and unplaced["group"] == UNSEEN_GROUP
    assert UNSEEN_GROUP in metrics["classes_absent_from_train"]


# --- the saved input chain (pipeline.json) re-applied ---------------------------------------------


@pytest.mark.parametrize("model", ["gradient_boosting", "mlp", "gradient_boosting_model_fill"])
def test_the_saved_chain_reproduces_the_evaluated_predictions(inputs, tmp_path, model):
    from lithoflow.classifiers.pipeline import apply_chain, load_chain, raw_inputs

    context = tmp_path / "context.parquet"
    write_small_context(inputs["features"], context)
    smoothing = {"method": "probabilities", "window_m": 1.0, "max_gap_m": 0.3}
    settings = {"context": "window", "smoothing": smoothing, "missing": "impute"}
    if model == "gradient_boosting_model_fill":
        run_spec = boosting_spec(**{**settings, "missing": "model"})
    elif model == "gradient_boosting":
        run_spec = boosting_spec(**settings)
    else:
        run_spec = spec(**settings, missing_indicators=True)
    out = tmp_path / model / "run"
    run_once({**inputs, "context": context}, out, run_spec)

    chain = load_chain(out / "pipeline.json")
    config = json.loads((out / "config.json").read_text())
    assert chain.model_columns == tuple(config["model_inputs"])
    assert chain.context is not None and chain.context.windows_m == (1.0,)
    assert (chain.imputer is not None) != (chain.curve_imputer is not None)
    assert set(chain.ranges) == set(chain.features)
    kind = run_spec.kind.restore(out / run_spec.kind.weights_file, config["architecture"])

    evaluated = pd.read_parquet(out / "predictions.parquet")
    evaluated = evaluated[(evaluated["part"] == "test") & (evaluated["replicate"] == 0)]
    test = pd.read_parquet(inputs["splits"]["test"]).reset_index(drop=True)
    names = np.asarray(chain.classes, dtype=object)

    # The whole dataset, as the depth_context rule saw it: the same numbers, the same classes.
    everything = pd.read_parquet(inputs["features"])
    applied = apply_chain(chain, kind, everything, torch.device("cpu"))
    keyed = everything.assign(predicted=names[applied.predicted])
    merged = evaluated.merge(keyed, on=["borehole_id", "depth_bin_m"], suffixes=("", "_chain"))
    assert len(merged) == len(evaluated) == len(test)
    np.testing.assert_array_equal(merged["predicted_chain"], merged["predicted"])

    # The test wells alone (new boreholes): their context and smoothing need nothing else.
    alone = apply_chain(chain, kind, test, torch.device("cpu"))
    on_all = applied.probabilities[everything["borehole_id"].isin(test["borehole_id"])]
    np.testing.assert_allclose(alone.probabilities, on_all, rtol=0, atol=1e-9)
    assert raw_inputs(chain, test).shape == (len(test), len(chain.raw_columns))
