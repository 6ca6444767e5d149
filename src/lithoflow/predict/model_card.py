"""The model card of an applied model: what it was trained on, what it takes, how well it did,
and where it cannot be trusted (`model_card.md` and its JSON twin, next to the model).

Built from the run folder's own records: config.json (the run's settings and classes),
metrics.json (the evaluation's scores with their intervals, rows and boreholes),
predictions.parquet (the training and validation boreholes and class counts), pipeline.json (the
input curves, their transforms, units and training ranges, the depth context, the missing-value
policy, the smoothing) and provenance.json (versions, commit, the resolved config).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from lithoflow.classifiers.pipeline import InputChain
from lithoflow.classifiers.provenance import settings_origin
from lithoflow.core.io import read_json

SCORES = ("accuracy", "balanced_accuracy", "macro_f1", "penalty_score")


def config_hash(config: Mapping[str, Any] | None) -> str | None:
    """sha256 of the resolved config as canonical JSON (the same config, the same hash)."""
    if config is None:
        return None
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def training_boreholes(run_dir: str | os.PathLike[str], which: str) -> dict[str, list[str]]:
    """The boreholes the applied model learnt from (train, and val for the final model or a
    refit), and those its evaluation scored, from predictions.parquet."""
    predictions = pd.read_parquet(Path(run_dir) / "predictions.parquet")
    parts = {
        part: sorted(predictions.loc[predictions["part"] == part, "borehole_id"].unique())
        for part in ("train", "val", "test")
    }
    return parts


def class_counts(run_dir: str | os.PathLike[str], parts: Sequence[str]) -> dict[str, int]:
    """Training rows per class (first replicate's rows of `parts`)."""
    predictions = pd.read_parquet(Path(run_dir) / "predictions.parquet")
    rows = predictions[(predictions["part"].isin(parts)) & (predictions["replicate"] == 0)]
    counts = rows["true"].value_counts()
    return {str(k): int(v) for k, v in counts.sort_index().items()}


def model_card(
    run_dir: str | os.PathLike[str],
    chain: InputChain,
    which: str,
    run: str,
    refit: bool,
) -> dict[str, Any]:
    """The card as a JSON-ready dict (`refit`: the model learnt from the val boreholes too)."""
    run_dir = Path(run_dir)
    metrics = read_json(run_dir / "metrics.json")
    provenance = read_json(run_dir / "provenance.json")
    boreholes = training_boreholes(run_dir, which)
    learnt = ["train", "val"] if refit else ["train"]
    learnt_from = sorted({b for part in learnt for b in boreholes[part]})
    scores = {
        name: {"value": metrics[name], **(metrics.get("intervals") or {}).get(name, {})}
        for name in SCORES
        if name in metrics
    }
    return {
        "run": run,
        "model": which,
        "settings": settings_record(run_dir, which, metrics),
        "kind": metrics["model"],
        "target": metrics["spec"]["target"],
        "training_boreholes": learnt_from,
        "validation_boreholes": [] if refit else boreholes["val"],
        "evaluation": {
            "method": metrics["evaluation"],
            "test_boreholes": boreholes["test"],
            "scores": scores,
            "scope": metrics.get("metric_scope"),
            "bootstrap": metrics.get("bootstrap"),
        },
        "inputs": [
            {
                "curve": name,
                "unit": chain.units.get(name, ""),
                "transform": chain.transforms[i],
                "training_range": list(chain.ranges[name]) if name in chain.ranges else None,
            }
            for i, name in enumerate(chain.features)
        ],
        "depth_context": None
        if chain.context is None
        else {"columns": len(chain.context_columns), **json.loads(json.dumps(vars(chain.context)))},
        "missing_values": chain.missing,
        "smoothing": None if chain.smoothing is None else vars(chain.smoothing),
        "classes": {name: count for name, count in class_counts(run_dir, learnt).items()},
        "not_to_be_trusted": [
            f"{name} outside [{low:g}, {high:g}] (its training range)"
            for name, (low, high) in chain.ranges.items()
        ]
        + [
            "classes absent from training cannot be predicted: "
            + (", ".join(metrics.get("classes_absent_from_train") or []) or "none")
        ],
        "versions": provenance.get("versions"),
        "git_commit": provenance.get("git_commit"),
        "config_sha256": config_hash(provenance.get("config")),
    }


def settings_record(run_dir: Path, which: str, metrics: Mapping[str, Any]) -> dict[str, Any]:
    """Where the model's settings came from, and for a searched run what the search chose, with
    its cross-validated score and budget (a final model's own search when it ran one)."""
    record: dict[str, Any] = {"origin": settings_origin(metrics)}
    own = run_dir / which / "config.json"
    search = read_json(own).get("search") if own.is_file() else None
    if search is None and metrics.get("search") and not metrics["search"].get("nested"):
        search = metrics["search"]
    if search:
        record["search"] = {
            key: search[key] for key in ("chosen", "cv_score", "metric", "budget") if key in search
        }
        record["search"]["pool_boreholes"] = len(search.get("pool_boreholes") or [])
    return record


def card_markdown(card: Mapping[str, Any]) -> str:
    """The card as Markdown."""
    lines = [
        f"# Model card: `{card['run']}` ({card['model']} model)",
        "",
        f"- kind: {card['kind']}; target: {card['target']}",
        f"- trained on {len(card['training_boreholes'])} boreholes: "
        + ", ".join(card["training_boreholes"]),
        f"- config sha256: `{card['config_sha256']}`; commit: `{card['git_commit']}`",
        f"- settings: {card['settings']['origin']}",
        *_search_lines(card["settings"].get("search")),
        "",
        "## Evaluation",
        "",
        f"{card['evaluation']['method']} evaluation on the test boreholes "
        + ", ".join(card["evaluation"]["test_boreholes"] or ["(group K-fold: every borehole)"])
        + ":",
        "",
        "| score | value | 95 % interval |",
        "|---|---|---|",
    ]
    for name, score in card["evaluation"]["scores"].items():
        low, high = _number(score.get("low")), _number(score.get("high"))
        interval = f"[{low:.3f}, {high:.3f}]" if low is not None and high is not None else "n/a"
        value = _number(score["value"])
        lines.append(f"| {name} | {'n/a' if value is None else f'{value:.3f}'} | {interval} |")
    lines += [
        "",
        "## Inputs",
        "",
        "| curve | unit | transform | training range |",
        "|---|---|---|---|",
    ]
    for item in card["inputs"]:
        bounds = item["training_range"]
        shown = f"{bounds[0]:.4g} to {bounds[1]:.4g}" if bounds else "no training value"
        lines.append(f"| {item['curve']} | {item['unit'] or '-'} | {item['transform']} | {shown} |")
    lines += [
        "",
        f"Missing values: {card['missing_values']}; depth context: "
        + (
            "none"
            if card["depth_context"] is None
            else f"{card['depth_context']['columns']} columns"
        )
        + "; smoothing: "
        + ("none" if card["smoothing"] is None else json.dumps(card["smoothing"])),
        "",
        "## Classes (training rows)",
        "",
        *[f"- {name}: {count}" for name, count in card["classes"].items()],
        "",
        "## Not to be trusted on",
        "",
        *[f"- {item}" for item in card["not_to_be_trusted"]],
        "",
        "## Versions",
        "",
        *[f"- {name}: {version}" for name, version in (card["versions"] or {}).items()],
        "",
    ]
    return "\n".join(lines)


def _search_lines(search: Mapping[str, Any] | None) -> list[str]:
    if not search:
        return []
    score = search["cv_score"]
    low, high = _number(score.get("low")), _number(score.get("high"))
    interval = f" [{low:.3f}, {high:.3f}]" if low is not None and high is not None else ""
    chosen = ", ".join(f"{name} = {value}" for name, value in search["chosen"].items())
    return [
        f"- chosen by the search (trial {score['trial']} of {search['budget']['trials']}, "
        f"{search['metric']} {score['mean']:.3f}{interval} by group K-fold over "
        f"{search['pool_boreholes']} boreholes): {chosen}"
    ]


def _number(value: Any) -> float | None:
    """A finite float of a JSON value (written "nan" or "inf" by lithoflow), else None."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
