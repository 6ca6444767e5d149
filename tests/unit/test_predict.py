"""Classifying new boreholes: samples from LAS, the applied model, per-sample outputs, LAS
written back, the log plot, the summary and the final model."""

from __future__ import annotations

import json
from pathlib import Path

import lasio
import numpy as np
import pandas as pd
import pytest
import torch
from matplotlib.colors import to_rgba

from lithoflow.classifiers.data import ClassifierInputs
from lithoflow.classifiers.final import train_final_model
from lithoflow.classifiers.run import train_classifier_run
from lithoflow.features.scaling import ScalingConfig
from lithoflow.predict.apply import predict_file, summarize_prediction, write_model_card
from lithoflow.predict.borehole import probability_column
from lithoflow.predict.figures import (
    PREDICTED_TITLE,
    TRUE_TITLE,
    UNSEEN_COLOUR,
    _column_image,
    borehole_figure,
    class_colours,
)
from lithoflow.predict.model import load_applied_model
from lithoflow.predict.samples import read_las_samples
from tests.support.config import classifier_spec, figure_style, las_config, las_section
from tests.support.model_data import (
    FEATURES,
    SMALL_BOOSTING,
    write_model_inputs,
    write_small_context,
)

CPU = torch.device("cpu")
SCALING = ScalingConfig.unscaled()
BOOSTING = {**SMALL_BOOSTING, "refit_with_val": True}


def write_las(path: Path, depth, curves: dict[str, np.ndarray], unit: str = "m") -> Path:
    las = lasio.LASFile()
    las.well["NULL"].value = -999.25
    las.append_curve("DEPT", np.asarray(depth, dtype=float), unit=unit)
    for name, values in curves.items():
        las.append_curve(name, np.asarray(values, dtype=float))
    las.write(str(path), version=2.0)
    return path


def las_settings(path: Path, codes: dict[str, str] | None = None) -> dict:
    settings = {
        "path": str(path),
        "curves": {name: [name] for name in FEATURES},
        "label_curve": "LITH",
    }
    if codes:
        settings["label_codes"] = codes
    return settings


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A gradient-boosting run with depth context and smoothing on the synthetic boreholes."""
    root = tmp_path_factory.mktemp("predict")
    inputs = write_model_inputs(root)
    context = root / "context.parquet"
    write_small_context(inputs["features"], context)
    spec = classifier_spec(
        "gb",
        model="gradient_boosting",
        target="lithology",
        split="size_balanced",
        context="window",
        missing="native",
        smoothing={"method": "probabilities", "window_m": 1.0, "max_gap_m": 0.3},
        gradient_boosting=BOOSTING,
    )
    files = ClassifierInputs(split_paths=inputs["splits"], context_path=context)
    run_dir = root / "run"
    train_classifier_run(spec=spec, files=files, scaling=SCALING, output_dir=run_dir, device=CPU)
    train_final_model(
        spec=spec, files=files, scaling=SCALING, output_dir=run_dir / "final", device=CPU
    )
    return root, inputs, run_dir, spec


def test_las_samples_convert_feet_and_keep_unknown_codes(tmp_path):
    depth_ft = np.arange(5) * 0.5
    path = write_las(
        tmp_path / "w.las",
        depth_ft,
        {"GRA": [1.5, 1.6, -999.25, 1.8, 1.9], "LITH": [1, 1, 2, 9, -999.25]},
        unit="F",
    )
    las = las_config({**las_settings(path), "curves": {"GRA": ["GRA"], "MS": ["MS"]}})
    las = type(las)(**{**las.__dict__, "label_codes": {"1": "clay", "2": "sand"}})
    samples = read_las_samples(path, las, ["GRA", "MS"])
    np.testing.assert_allclose(samples.depth_m, depth_ft * 0.3048)
    assert samples.depth_unit == "F" and samples.values["MS"].isna().all()
    assert list(samples.labels) == ["clay", "clay", "sand", "9", None]
    assert np.isnan(samples.values["GRA"][2])
    notes = " | ".join(samples.notes)
    assert "curves absent from the file: MS" in notes
    assert "depth converted from F to metres" in notes and "not in the code table" in notes


def test_prediction_of_a_test_well_equals_its_evaluation(trained, tmp_path):
    _, inputs, run_dir, _ = trained
    evaluated = pd.read_parquet(run_dir / "predictions.parquet")
    evaluated = evaluated[(evaluated["part"] == "test") & (evaluated["replicate"] == 0)]
    well = sorted(evaluated["borehole_id"].unique())[0]
    rows = pd.read_parquet(inputs["features"])
    rows = rows[rows["borehole_id"] == well].sort_values("depth_bin_m")
    classes = sorted(rows["label"].unique())
    codes = {str(i + 1): name for i, name in enumerate(classes)}
    code_of = {name: float(code) for code, name in codes.items()}
    curves = {name: rows[name].to_numpy() for name in FEATURES}
    las_path = write_las(tmp_path / f"{well}.las", rows["depth_bin_m"].to_numpy(), curves)
    outputs = {
        "table": tmp_path / "out.parquet",
        "csv": tmp_path / "out.csv",
        "las": tmp_path / "out.las",
        "figure": tmp_path / "out.png",
        "report": tmp_path / "out.json",
    }
    prediction = predict_file(
        source=str(las_path),
        borehole=well,
        run_dir=run_dir,
        run="gb",
        which="evaluated",
        data={"source": "las", "las": las_section(las_settings(las_path, codes))},
        bin_size_m=0.2,
        training_boreholes_path=str(run_dir / "predictions.parquet"),
        outputs={k: str(v) for k, v in outputs.items()},
        style=figure_style(dpi=40),
        device=CPU,
    )
    table = prediction.table
    # the samples are the file's rows: bins 1:1, no label curve (labels removed)
    assert len(table) == len(rows) and "true" not in table.columns
    of_well = evaluated[evaluated["borehole_id"] == well].set_index("depth_bin_m")
    expected = of_well.loc[rows["depth_bin_m"], "predicted"]
    np.testing.assert_array_equal(table["predicted"].to_numpy(), expected.to_numpy())
    model = load_applied_model(run_dir, "gb", "evaluated")
    probabilities = table[[probability_column(c) for c in model.classes]].to_numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    np.testing.assert_allclose(table["top_probability"], probabilities.max(axis=1))
    assert (table["entropy"] >= 0).all() and not table["flagged"].any()

    # The LAS written back: original depths and curves read back unchanged, plus the new curves.
    original, written = lasio.read(str(las_path)), lasio.read(str(outputs["las"]))
    np.testing.assert_array_equal(written.index, original.index)
    for curve in original.curves:
        np.testing.assert_array_equal(written[curve.mnemonic], original[curve.mnemonic])
        assert written.curves[curve.mnemonic].unit == curve.unit
    lithology = written["LITH_PRED"]
    assert all(codes[str(int(v))] == p for v, p in zip(lithology, table["predicted"], strict=True))
    assert written.params["LITH_MODEL"].value == "evaluated"
    probability_curves = [c.mnemonic for c in written.curves if c.mnemonic.startswith("P_")]
    assert len(probability_curves) == len(model.classes)
    assert set(code_of) <= set(codes.values())
    report = json.loads(outputs["report"].read_text())
    assert report["samples_applied"] == len(rows) and report["model"] == "evaluated"


def test_the_log_plot_shows_curves_prediction_truth_and_probability(trained):
    _, _, run_dir, _ = trained
    model = load_applied_model(run_dir, "gb", "final")
    classes = list(model.classes)
    depth = np.arange(10) * 0.2
    table = pd.DataFrame(
        {
            "depth_m": depth,
            "predicted": [classes[i % 2] for i in range(10)],
            "true": [classes[0]] * 9 + ["never seen"],
            "top_probability": np.linspace(0.4, 0.9, 10),
        }
    )
    inputs = pd.DataFrame({"GRA": np.linspace(1.5, 2.0, 10), "MS": np.arange(10.0)})
    figure = borehole_figure(table, inputs, classes, figure_style(dpi=40), "well")
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == ["GRA", "MS", PREDICTED_TITLE, TRUE_TITLE, "top probability"]
    gra = figure.axes[0].lines[0]
    np.testing.assert_allclose(gra.get_xdata(), inputs["GRA"])
    np.testing.assert_allclose(gra.get_ydata(), depth)
    column = figure.axes[2].images[0].get_array()
    colours = class_colours(classes)
    first = matplotlib_rgba(colours[classes[0]])
    np.testing.assert_allclose(column[0, 0], first)
    assert figure.axes[0].get_ylim()[0] > figure.axes[0].get_ylim()[1]  # depth down
    labels = [t.get_text() for t in figure.legends[0].get_texts()]
    assert "never seen (not in training)" in labels


def matplotlib_rgba(colour: str) -> np.ndarray:
    from matplotlib.colors import to_rgba

    return np.asarray(to_rgba(colour))


def test_final_model_of_a_refit_recipe_is_its_first_evaluated_model(trained):
    _, _, run_dir, _ = trained
    assert (run_dir / "final" / "model.skops").read_bytes() == (
        run_dir / "units" / "r0" / "model.skops"
    ).read_bytes()
    config = json.loads((run_dir / "final" / "config.json").read_text())
    assert config["about"]["model"] == "final" and config["about"]["rows"]["val"] > 0


def test_summary_scores_labelled_wells_and_counts_unseen_labels(trained, tmp_path):
    _, inputs, run_dir, _ = trained
    test = pd.read_parquet(inputs["splits"]["test"])
    tables, reports = [], []
    for i, (well, rows) in enumerate(test.groupby("borehole_id")):
        rows = rows.sort_values("depth_bin_m")
        labels = [*sorted(set(test["label"])), "never seen"]
        codes = {str(j + 1): name for j, name in enumerate(labels)}
        code_of = {name: float(code) for code, name in codes.items()}
        lith = [code_of[v] for v in rows["label"]]
        if i == 0:
            lith[0] = code_of["never seen"]
        curves = {name: rows[name].to_numpy() for name in FEATURES} | {"LITH": np.array(lith)}
        las_path = write_las(tmp_path / f"{well}.las", rows["depth_bin_m"].to_numpy(), curves)
        out = {key: str(tmp_path / f"{well}.{key}") for key in ("table", "csv", "figure", "report")}
        predict_file(
            source=str(las_path),
            borehole=well,
            run_dir=run_dir,
            run="gb",
            which="final",
            data={"source": "las", "las": las_section(las_settings(las_path, codes))},
            bin_size_m=0.2,
            training_boreholes_path="",
            outputs=out,
            style=figure_style(dpi=40),
            device=CPU,
        )
        tables.append(out["table"])
        reports.append(out["report"])
    outputs = {k: str(tmp_path / f"summary.{k}") for k in ("summary", "json", "figure")}
    frame = summarize_prediction(
        tables=tables,
        reports=reports,
        run_dir=run_dir,
        penalty_path=None,
        training_boreholes_path="",
        n_resamples=50,
        seed=1,
        outputs=outputs,
        style=figure_style(dpi=40),
    )
    per_well = frame[frame["borehole_id"] != "all"].set_index("borehole_id")
    assert per_well["labels_unseen_in_training"].tolist() == [1] + [0] * (len(per_well) - 1)
    pooled = frame[frame["borehole_id"] == "all"].iloc[0]
    assert pooled["accuracy_low"] <= pooled["accuracy"] <= pooled["accuracy_high"]
    # pooled accuracy = correct samples / labelled samples (the unseen label is always wrong)
    correct = 0
    for path in tables:
        table = pd.read_parquet(path)
        correct += int((table["predicted"] == table["true"]).sum())
    assert pooled["accuracy"] == pytest.approx(correct / pooled["labelled_samples"])
    card_md, card_json = tmp_path / "card.md", tmp_path / "card.json"
    card = write_model_card(
        run_dir=run_dir, run="gb", which="final", markdown_path=card_md, json_path=card_json
    )
    assert card["training_boreholes"] and "accuracy" in card["evaluation"]["scores"]
    assert "## Not to be trusted on" in card_md.read_text()
    assert card["settings"] == {"origin": "hand-set"}
    assert "- settings: hand-set" in card_md.read_text()


def test_unclassified_samples_are_white_and_unseen_labels_grey():
    colours = class_colours(["clay", "sand"])
    image = _column_image(["clay", None, float("nan"), "basalt"], colours)[:, 0, :]
    assert tuple(image[0]) == to_rgba(colours["clay"])
    # no prediction (None, or NaN as read back from the table) is blank, not a class colour
    assert tuple(image[1]) == tuple(image[2]) == to_rgba("white")
    assert tuple(image[3]) == to_rgba(UNSEEN_COLOUR)
