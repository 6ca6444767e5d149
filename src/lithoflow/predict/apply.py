"""The predict rules' steps: one borehole's outputs, the summary over boreholes, the model card.

A borehole whose file lacks a curve the model needs is classified under the run's missing-value
policy and its samples flagged; when the policy cannot take the gap (``missing: drop``: every
sample would be left out) the borehole is refused, its outputs say so and the summary names the
curve. A borehole without depth samples is named and skipped. A borehole that the applied model
learnt from is classified too, with a warning: its scores are not blind.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import torch

from lithoflow.core.errors import InputDataError
from lithoflow.core.figure_style import FigureStyle, save_figure
from lithoflow.core.io import read_json, write_csv, write_json, write_parquet
from lithoflow.ingest.config import RangeFilter
from lithoflow.ingest.las import LasConfig, load_label_codes
from lithoflow.predict.borehole import BoreholePrediction, predict_borehole
from lithoflow.predict.figures import borehole_figure, overview_figure
from lithoflow.predict.las_output import write_prediction_las
from lithoflow.predict.model import load_applied_model
from lithoflow.predict.model_card import card_markdown, model_card, training_boreholes
from lithoflow.predict.samples import Samples, read_las_samples, table_samples
from lithoflow.predict.settings import FINAL
from lithoflow.predict.summary import summarize
from lithoflow.stats.metrics import read_penalty_matrix

log = logging.getLogger(__name__)


def learnt_from(run_dir: str | os.PathLike[str], which: str) -> set[str]:
    """The boreholes the applied model learnt from (its train, and for the final model also its
    val boreholes)."""
    parts = training_boreholes(run_dir, which)
    return set(parts["train"]) | (set(parts["val"]) if which == FINAL else set())


def read_samples(
    source: str, borehole: str, data: Mapping[str, Any], features: Sequence[str]
) -> tuple[Samples, dict[str, str] | None]:
    """A borehole's samples from its LAS file or its part of a table, and the class name ->
    code table (LAS label codes), if any."""
    kind = data["source"]
    if kind == "las":
        las = LasConfig.from_config(data["las"])
        samples = read_las_samples(source, las, features)
        table = load_label_codes(las.label_codes)
        codes = None if table is None else {name: code for code, name in table.items()}
        return samples, codes
    settings = data["table"]
    frame = pd.read_parquet(source)
    samples = table_samples(
        frame,
        str(source),
        borehole_id=borehole,
        depth_column=settings["depth_column"],
        label_column=settings.get("label_column"),
        features=features,
    )
    return samples, None


def refusal(samples: Samples, missing: str, features: Sequence[str]) -> str | None:
    """Why the run's missing-value policy cannot classify the borehole, or None."""
    absent = [f for f in features if samples.values[f].isna().all()]
    if absent and missing == "drop" and samples.n_samples:
        return (
            f"refused: the file lacks the curve(s) {', '.join(absent)} the model needs, and the "
            "run leaves out samples with a missing input (missing: drop); train with missing: "
            "impute or native, or add the curve"
        )
    return None


def predict_file(
    *,
    source: str,
    borehole: str,
    run_dir: str | os.PathLike[str],
    run: str,
    which: str,
    data: Mapping[str, Any],
    bin_size_m: float,
    training_boreholes_path: str,
    outputs: Mapping[str, str],
    style: FigureStyle,
    device: torch.device,
    filters: Mapping[str, Sequence[float]] | None = None,
) -> BoreholePrediction:
    """Classify one borehole and write its table (Parquet, CSV), LAS (LAS input), log plot and
    report (JSON)."""
    del training_boreholes_path  # read through the run folder (an input, so edits rerun)
    model = load_applied_model(run_dir, run, which)
    samples, codes = read_samples(source, borehole, data, model.chain.features)
    refused = refusal(samples, model.chain.missing, model.chain.features)
    rules = [
        RangeFilter(feature, float(low), float(high))
        for feature, (low, high) in (filters or {}).items()
    ]
    prediction = predict_borehole(samples, model, bin_size_m, device, codes, rules)
    report = prediction.report
    if refused:
        log.warning("%s: %s", samples.borehole_id, refused)
        report["refused"] = refused
        report.setdefault("notes", []).append(refused)
    if samples.borehole_id in learnt_from(run_dir, which):
        note = "the applied model learnt from this borehole: its scores are not blind"
        log.warning("%s: %s", samples.borehole_id, note)
        report["in_training"] = True
        report.setdefault("notes", []).append(note)
    for note in report.get("notes", []):
        log.info("%s: %s", samples.borehole_id, note)
    table = prediction.table
    write_parquet(outputs["table"], table, {"run": run, "model": which, "report": report})
    write_csv(outputs["csv"], table)
    if "las" in outputs:
        write_prediction_las(source, table, model.classes, codes, outputs["las"], run, which)
    figure = borehole_figure(
        table,
        samples.values,
        model.classes,
        style,
        f"{samples.borehole_id}: {run} ({which} model)",
    )
    report["figure_tracks"] = [ax.get_title() for ax in figure.axes]
    save_figure(figure, outputs["figure"], style)
    write_json(outputs["report"], report)
    log.info(
        "%s: %d samples, %d classified, %.1f %% flagged",
        samples.borehole_id,
        samples.n_samples,
        report["samples_applied"],
        100 * (report["flagged_share"] if samples.n_samples else 0.0),
    )
    return prediction


def summarize_prediction(
    *,
    tables: Sequence[str],
    reports: Sequence[str],
    run_dir: str | os.PathLike[str],
    penalty_path: str | None,
    training_boreholes_path: str,
    n_resamples: int,
    seed: int,
    outputs: Mapping[str, str],
    style: FigureStyle,
) -> pd.DataFrame:
    """summary.csv (and .json) over every predicted borehole, and the overview figure."""
    del training_boreholes_path
    loaded = {}
    documents = {}
    for table_path, report_path in zip(tables, reports, strict=True):
        report = read_json(report_path)
        loaded[report["borehole_id"]] = pd.read_parquet(table_path)
        documents[report["borehole_id"]] = report
    if not loaded:
        raise InputDataError("no borehole to summarise (predict.data found no input)")
    first = next(iter(documents.values()))
    classes, which, run = first["classes"], first["model"], first["run"]
    penalty = read_penalty_matrix(penalty_path) if penalty_path else None
    frame, pooled = summarize(
        loaded,
        documents,
        classes,
        penalty=penalty,
        penalty_path=penalty_path or "",
        training_boreholes=sorted(learnt_from(run_dir, which)),
        n_resamples=n_resamples,
        seed=seed,
    )
    write_csv(outputs["summary"], frame)
    write_json(outputs["json"], {"run": run, "model": which, **pooled})
    figure = overview_figure(loaded, classes, style, f"{run} ({which} model): predicted lithology")
    save_figure(figure, outputs["figure"], style)
    return frame


def write_model_card(
    *,
    run_dir: str | os.PathLike[str],
    run: str,
    which: str,
    markdown_path: str | os.PathLike[str],
    json_path: str | os.PathLike[str],
) -> dict[str, Any]:
    """The model card of the applied model, as Markdown and JSON."""
    model = load_applied_model(run_dir, run, which)
    metrics = read_json(Path(run_dir) / "metrics.json")
    boosting = metrics["spec"].get("gradient_boosting") or {}
    refit = which == FINAL or bool(boosting.get("refit_with_val"))
    card = model_card(run_dir, model.chain, which, run, refit)
    write_json(json_path, card)
    Path(markdown_path).parent.mkdir(parents=True, exist_ok=True)
    from lithoflow.core.io import atomic_path

    with atomic_path(markdown_path) as tmp:
        tmp.write_text(card_markdown(card))
    return card
