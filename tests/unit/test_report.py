"""The investigation summary: formats, traced numbers, direction sentences and missing inputs.

The inputs are built by the real producers (distribution, split statistics, mismatch, metrics,
hierarchy and reconstruction validation) on a small hand-made run and passed through JSON, so
the summary is tested on the structures the workflow writes.
"""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pandas as pd
import pytest

from lithoflow.core.config import schema_errors
from lithoflow.core.errors import ConfigError
from lithoflow.core.io import read_json, write_json
from lithoflow.report.plan import figure_links
from lithoflow.report.summary import SECTION_TITLES, build_summary, load_reference, read_inputs
from lithoflow.report.tracing import (
    Const,
    ReportInputs,
    Tracer,
    div,
    evaluate,
    expr_to_json,
    format_value,
    length,
    ref,
    sub,
)
from lithoflow.report.wording import DECIMAL_WORDS, agrees, compare_sentence, reference_text
from lithoflow.splits.distribution import imbalance_report
from lithoflow.splits.mismatch import compare_methods
from lithoflow.splits.statistics import split_report
from lithoflow.stats import metrics as mt
from lithoflow.validation.hierarchy import HierarchyValidationConfig, validate_hierarchy
from lithoflow.validation.reconstruction import ReconstructionConfig, reconstruct, scope_report
from tests.support.config import REPO_ROOT, check_config, load_default_config
from tests.support.report_trace import mismatched_numbers, table_rows, untraced_numbers

SCHEMA = REPO_ROOT / "workflow" / "schemas" / "config.schema.yaml"

GROUPS = {"clay": "Clay/Mud", "mud": "Clay/Mud", "ooze": "Carbonate", "chalk": "Carbonate",
          "sand": "Sand", "basalt": "Mafic Igneous"}  # fmt: skip
# (borehole, label, rows) of the hand-made run; parts by borehole.
ROWS = [("h1", "clay", 30), ("h1", "ooze", 20), ("h2", "mud", 10), ("h2", "ooze", 15),
        ("h3", "chalk", 5), ("h3", "sand", 8), ("h4", "basalt", 4), ("h4", "clay", 6)]  # fmt: skip
PART_OF = {"h1": "train", "h2": "train", "h3": "val", "h4": "test"}
FEATURES = ["GRA", "MS"]


def json_round_trip(payload, tmp_path, name):
    path = tmp_path / f"{name}.json"
    write_json(path, payload)
    return read_json(path)


def labels_frame() -> pd.DataFrame:
    rows = [(b, label) for b, label, n in ROWS for _ in range(n)]
    frame = pd.DataFrame(rows, columns=["borehole_id", "label"])
    frame["part"] = frame["borehole_id"].map(PART_OF)
    return frame


def metrics_document(run, spec, y_true, y_pred, classes, leakage=None):
    """A metrics.json like lithoflow.classifiers.run.classifier_metrics writes."""
    summary = mt.classification_summary(np.array(y_true), np.array(y_pred), classes)
    counts = np.bincount(y_true, minlength=len(classes))
    present = {c for c, n in zip(classes, counts, strict=True) if n}
    return {
        "run": run,
        "spec": spec,
        "model": spec["model"],
        "n_classes": len(classes),
        "classes": list(classes),
        **{k: summary[k] for k in ("accuracy", "balanced_accuracy", "macro_f1")},
        "n_test_classes_present": summary["n_classes_present"],
        "per_class_recall": summary["per_class_recall"],
        "classes_absent_from_test": [c for c in classes if c not in present],
        "classes_absent_from_train": [],
        "classes_absent_from_val": [],
        "class_weighting": spec["class_weighting"],
        "class_weight_ratio": 3.5,
        "selection_metric": spec["selection_metric"],
        "stop_epoch": 4,
        "best_epoch": 2,
        "stopped_early": True,
        "best_validation": {"accuracy": 0.5, "balanced_accuracy": 0.4, "loss": 1.2},
        "rows": {"train": 90, "val": 13, "test": len(y_true)},
        "boreholes": {"train": 2, "val": 1, "test": 1},
        "leakage": leakage,
    }


def spec(target, input_="embedding", weighting="inverse_frequency", selection="balanced_accuracy"):
    return {
        "model": "mlp",
        "input": input_,
        "target": target,
        "split": "size_balanced",
        "vae": "v2_6_7",
        "class_weighting": weighting,
        "selection_metric": selection,
        "scaler_fit": "train",
    }


def run_documents(direct_correct: int, v1_1_correct: int) -> dict[str, dict]:
    """metrics.json of the five default runs; the group runs get `*_correct` of 4 test rows."""
    groups = ("Clay/Mud", "Mafic Igneous", "Sand")
    truth = [0, 0, 1, 1]
    leak = {"vae": "v2_6_7", "test_boreholes": 1, "test_boreholes_seen_by_vae": 0}

    def predicted(correct):
        return truth[:correct] + [2] * (len(truth) - correct)

    labels = ("basalt", "clay", "ooze")
    unweighted = spec("lithology", weighting="none", selection="accuracy")
    leaked = {**leak, "test_boreholes_seen_by_vae": 1}
    truth_labels = [0, 1, 1, 2]
    return {
        "direct": metrics_document(
            "direct", spec("group", "raw"), truth, predicted(direct_correct), groups
        ),
        "v1_1": metrics_document(
            "v1_1", spec("group"), truth, predicted(v1_1_correct), groups, leak
        ),
        "v1_0": metrics_document(
            "v1_0", spec("lithology"), truth_labels, [0, 1, 2, 2], labels, leak
        ),
        "v2_6_7_balanced": metrics_document(
            "v2_6_7_balanced", unweighted, truth_labels, [1, 1, 1, 1], labels, leak
        ),
        "v2_6_7_random": metrics_document(
            "v2_6_7_random",
            {**unweighted, "split": "random"},
            truth_labels,
            [1, 1, 1, 2],
            labels,
            leaked,
        ),
    }


def reconstruction_documents() -> dict[str, dict]:
    rng = np.random.default_rng(0)
    n = 40
    mu = rng.normal(size=(n, 3)) * np.array([1.0, 0.5, 0.01])
    physical = np.column_stack([rng.uniform(1.2, 2.2, n), rng.uniform(0, 200, n)])

    def transform(x):
        return (np.asarray(x) - np.array([1.7, 100.0])) / np.array([0.3, 60.0])

    def inverse(z):
        return np.asarray(z) * np.array([0.3, 60.0]) + np.array([1.7, 100.0])

    def decode(m):
        return transform(physical) + 0.1 * m[:, :2]

    rec = reconstruct(mu, physical, FEATURES, decode, transform, inverse)
    split = np.array(["train"] * 30 + ["test"] * 10, dtype=object)
    groups = np.array(["Clay/Mud", "Carbonate"] * 20, dtype=object)
    config = ReconstructionConfig(
        active_latent_std=0.1, excellent_below=0.15, good_below=0.25, scopes=("test", "all")
    )
    return {
        scope: scope_report(rec, mu, groups, split, split == "train", scope, config)
        for scope in ("test", "all")
    }


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    """Every source of a small simulated run, as the workflow's JSON files would hold them."""
    tmp = tmp_path_factory.mktemp("report_inputs")
    frame = labels_frame()
    config = load_default_config()
    config["classifiers"]["runs"] = {
        name: config["classifiers"]["runs"][name]
        for name in ("v2_6_7_random", "v2_6_7_balanced", "v1_0", "v1_1", "direct")
    }
    # The investigation's five runs only: comparisons naming other runs go too.
    runs = set(config["classifiers"]["runs"])
    report = config["report"]
    report["comparisons"] = [c for c in report["comparisons"] if set(c["runs"]) <= runs]
    report["hierarchy_comparisons"] = [p for p in report["hierarchy_comparisons"] if set(p) <= runs]
    docs: dict = {"config": config, "reference": load_reference()}
    docs["ingest"] = {
        "bin_size_m": 0.2,
        "features": FEATURES,
        "final": {"rows": len(frame), "boreholes": 4, "labels": 6},
        "steps": [
            {"step": "bin GRA", "rows_in": 900, "rows": 110, "boreholes": 4, "removed": 0},
            {"step": "join MS", "rows": 100, "boreholes": 4, "removed": 10},
            {"step": "filter GRA", "range": [0.3, 4.0], "rows": 98, "boreholes": 4, "removed": 2},
        ],
    }
    for level, labels in (("lithology", frame["label"]), ("group", frame["label"].map(GROUPS))):
        _, summary = imbalance_report(labels.value_counts(), level)
        docs[f"{level}_distribution"] = summary
    parts = {p: frame[frame["part"] == p] for p in ("train", "val", "test")}
    for method in ("random", "size_balanced", "entropy_balanced"):
        docs[f"split:{method}"] = split_report(parts, {"method": method, "seed": 42}, GROUPS)
    labels_by_method = {
        m: {p: f["label"] for p, f in parts.items()} for m in ("random", "size_balanced")
    }
    boreholes = {m: {p: f["borehole_id"] for p, f in parts.items()} for m in labels_by_method}
    docs["mismatch"] = compare_methods(labels_by_method, GROUPS, boreholes, min_test_rows=5)[1]
    for run, document in run_documents(direct_correct=3, v1_1_correct=1).items():
        docs[f"metrics:{run}"] = document
        docs[f"classifier:{run}"] = {"architecture": {"parameters": 100 + len(run)}}
    docs["vae:v2_6_7"] = {
        "split": "size_balanced", "train_on": "train", "scaler_fit": "train",
        "rows": {"train": 90, "scaler_fit": 90, "val": 13, "all": 109},
        "training": {"epochs": 4, "beta_end": 0.75},
        "architecture": {"latent_dim": 10, "parameters": 2010},
    }  # fmt: skip
    docs["history:v2_6_7"] = [
        {"epoch": e, "beta": b, "loss": 3.0 - e / 10, "recon": 2.0, "kl": 0.5}
        for e, b in ((1, 0.0), (2, 0.75))
    ]
    rng = np.random.default_rng(1)
    labels = frame["label"]
    mu = (
        rng.normal(size=(len(labels), 3))
        + labels.map({k: i for i, k in enumerate(GROUPS)}).to_numpy()[:, None]
    )
    hierarchy = validate_hierarchy(
        mu, labels, labels.map(GROUPS), HierarchyValidationConfig(1.0, 2.0)
    )
    docs["hierarchy"] = hierarchy.summary(vae="v2_6_7", rows_used="every row")
    for scope, report in reconstruction_documents().items():
        docs[f"reconstruction:{scope}"] = report
    docs["realism"] = {
        "scale": "tiny",
        "summary": {"checks": 12, "passed": 7, "meaningful_checks": 5, "meaningful_passed": 4,
                    "meaningful_failed": ["some negative MS"]},
    }  # fmt: skip
    kept_as_is = ("config", "reference")
    return {
        name: doc if name in kept_as_is else json_round_trip(doc, tmp, name.replace(":", "_"))
        for name, doc in docs.items()
    }


def inputs_of(documents) -> ReportInputs:
    return ReportInputs(documents=documents, paths={k: f"{k}.json" for k in documents})


SUMMARY_PATH = "results/report/investigation_summary.md"
FIGURE_PATHS = {
    "class distribution of the lithologies": "results/analysis/lithology_distribution.png",
    "dendrogram of the lithology centroids": "results/figures/hierarchy_dendrogram.png",
}


# --- formats and expressions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (0.42324, "percent", "42.32%"),
        (-0.1259, "abs_percent", "12.59%"),
        (85.6, "percent_value", "85.60%"),
        (-0.12591, "points", "12.59"),
        (0.12591, "signed_points", "+12.59"),
        (-0.12591, "signed_points", "-12.59"),
        (-0.00001, "signed_points", "0.00"),
        (49778, "count", "49,778"),
        (0.11642, "decimal", "0.1164"),
        (-0.5, "abs_decimal", "0.5000"),
        (1523.197, "real", "1,523.20"),
        (0.2, "plain", "0.2"),
        (1000000, "plain", "1000000"),
        ("inf", "real", "∞"),
        ("-inf", "decimal", "−∞"),
        ("-inf", "points", "∞"),
        ("nan", "percent", "n/a"),
        (None, "count", "n/a"),
    ],
)
def test_formats(value, fmt, text):
    assert format_value(value, fmt) == text


def test_expressions_evaluate_and_serialise():
    documents = {"a": {"x": [3, 4], "y": {"z": 2}}, "b": {"zero": 0}}
    expr = div(sub(ref("a", "x", 1), ref("a", "y", "z")), length(ref("a", "x")))
    assert evaluate(expr, documents) == 1.0
    assert evaluate(div(Const(1), ref("b", "zero")), documents) == math.inf
    assert math.isnan(evaluate(div(ref("b", "zero"), ref("b", "zero")), documents))
    assert expr_to_json(expr) == {
        "op": "div",
        "args": [
            {"op": "sub", "args": [{"ref": ["a", "x", 1]}, {"ref": ["a", "y", "z"]}]},
            {"op": "len", "args": [{"ref": ["a", "x"]}]},
        ],
    }


def test_render_records_each_number_at_its_offset():
    t = Tracer(ReportInputs({"m": {"acc": 0.5, "n": 1234}}))
    raw = (
        f"acc {t.num(ref('m', 'acc'), 'percent')}, n {t.at('m', 'n', fmt='count')}, "
        f"gone {t.at('m', 'missing', fmt='count')}"
    )
    text, numbers = t.render(raw)
    assert text == "acc 50.00%, n 1,234, gone –"
    assert [(n["text"], text[n["start"] : n["end"]]) for n in numbers] == [
        ("50.00%", "50.00%"),
        ("1,234", "1,234"),
    ]
    assert numbers[0]["expr"] == {"ref": ["m", "acc"]}


# --- direction sentences -------------------------------------------------------------------------


def sentence(a, b, wording=None):
    t = Tracer(ReportInputs({"s": {"a": a, "b": b}}))
    args = (t, "`A`", "`B`", "balanced accuracy", ref("s", "a"), ref("s", "b"))
    raw = compare_sentence(*args) if wording is None else compare_sentence(*args, wording)
    return t.render(raw)[0]


def test_sentence_when_subject_is_higher():
    assert sentence(0.4232, 0.2973) == (
        "`A` beats `B` on balanced accuracy by 12.59 percentage points (42.32% vs 29.73%), "
        "42.35% more than `B`."
    )


def test_sentence_when_subject_is_lower():
    assert sentence(0.2973, 0.4232) == (
        "`A` trails `B` on balanced accuracy by 12.59 percentage points (29.73% vs 42.32%), "
        "29.75% less than `B`."
    )


def test_sentence_tie_when_the_printed_values_are_equal():
    assert sentence(0.42321, 0.42324) == "`A` and `B` tie on balanced accuracy (42.32% vs 42.32%)."
    assert sentence(0.0, 0.0) == "`A` and `B` tie on balanced accuracy (0.00% vs 0.00%)."


def test_sentence_against_zero_has_no_relative_change():
    assert sentence(0.25, 0.0) == (
        "`A` beats `B` on balanced accuracy by 25.00 percentage points (25.00% vs 0.00%); `B` "
        "scored zero, so there is no relative change."
    )


def test_sentence_with_a_missing_value():
    assert (
        sentence(0.25, None)
        == "`A` and `B` cannot be compared on balanced accuracy (25.00% vs n/a)."
    )


def test_decimal_sentence_both_signs():
    assert sentence(0.9, -0.25, DECIMAL_WORDS) == (
        "`A` is higher than `B` on balanced accuracy by 1.1500 (0.9000 vs -0.2500)."
    )
    assert sentence(-0.25, 0.9, DECIMAL_WORDS) == (
        "`A` is lower than `B` on balanced accuracy by 1.1500 (-0.2500 vs 0.9000)."
    )


# --- the investigation's figures -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("summary", "log", "same"),
    [(0.309, 0.3093, True), (0.297, 0.2965, True), (1175, 1175.4, True), (0.2025, 0.0682, False),
     (0.33, 0.3302, True), (0.8796, 0.8731, False)],
)  # fmt: skip
def test_summary_agrees_with_log_at_its_precision(summary, log, same):
    assert agrees(summary, log) is same


def test_reference_text_labels_sources():
    reference = {
        "same": {"summary": 0.2973, "log": 0.2973},
        "differ": {"summary": 0.2025, "log": 0.0682},
        "claim": {"summary": 0.1164, "unsupported": True},
        "later": {"later": 0.822},
    }
    lily = {"data": {"source": "simulate"}}
    t = Tracer(ReportInputs({"reference": reference, "config": lily}))
    texts = [t.render(reference_text(t, (key,), "percent"))[0] for key in reference]
    assert texts == [
        "29.73% (Summary, log)",
        "20.25% (Summary) / 6.82% (log)",
        "11.64% (Summary, unsupported)",
        "82.20% (later work)",
    ]
    assert reference_text(t, ("absent",), "percent") == "–"
    # The investigation studied LILY: on other data its figures do not apply.
    las = Tracer(ReportInputs({"reference": reference, "config": {"data": {"source": "las"}}}))
    assert reference_text(las, ("same",), "percent") == "not applicable to this data"


def test_packaged_reference_has_the_figures_the_summary_quotes():
    reference = load_reference()
    sand = reference["per_group_recall"]["v1_1"]["Sand"]["recall"]
    assert (sand["summary"], sand["log"]) == (0.2025, 0.0682)
    assert reference["classifiers"]["direct"]["balanced_accuracy"]["log"] == 0.4232
    assert reference["hierarchy"]["adjusted_rand_index"]["unsupported"] is True
    for key in ("summary", "log", "later"):
        assert key in reference["sources"]


def test_packaged_reference_matches_methodology(shared_reference):
    """The investigation's numbers as the reference notes give them (spot checks)."""
    text = (shared_reference / "methodology.md").read_text()
    reference = load_reference()
    for figure in ("0.3093", "0.9856", "1,175.4", "32,891", "238,506", "0.2965", "6.82"):
        assert figure in text
    assert reference["reconstruction"]["scaled"]["per_feature"]["GRA"]["mae"]["log"] == 0.3093
    assert reference["reconstruction"]["latent"]["std"][0]["log"] == 0.9856


# --- the whole summary ---------------------------------------------------------------------------


def test_summary_has_every_section_and_only_traced_numbers(documents):
    summary = build_summary(inputs_of(documents), figure_links(FIGURE_PATHS, SUMMARY_PATH))
    for title in SECTION_TITLES:
        assert f"\n## {title}\n" in summary.markdown, title
    figures = summary.markdown.split("\n## Figures\n", 1)[1]
    assert figures.strip().splitlines() == [
        "- [class distribution of the lithologies](../analysis/lithology_distribution.png)",
        "- [dendrogram of the lithology centroids](../figures/hierarchy_dendrogram.png)",
    ]
    assert untraced_numbers(summary.markdown, summary.numbers) == []
    assert mismatched_numbers(summary.markdown, summary.numbers, documents) == []
    assert len(summary.numbers) > 200


def test_summary_states_data_source_and_protocol(documents):
    markdown = build_summary(inputs_of(documents)).markdown
    assert "simulator at scale `small`, seed 42" in markdown
    assert "4 of 5 checks that mean something at this scale passed" in markdown
    assert "| trained on | `train` | `all` |" in markdown
    assert "| `v2_6_7_random` |" in markdown
    assert (
        "`v2_6_7_random` is transductive: its VAE trained on 1 of its 1 test boreholes." in markdown
    )
    # v1.1 Sand: the Summary's and the log's figures, both labelled.
    assert "20.25% (Summary) / 6.82% (log)" in markdown


def test_tables_put_each_number_in_its_column(documents):
    markdown = build_summary(inputs_of(documents)).markdown
    rows = {row[0]: row for row in table_rows(markdown, "| run | accuracy |")}
    for run in ("v2_6_7_random", "v2_6_7_balanced", "v1_0", "v1_1", "direct"):
        metrics = documents[f"metrics:{run}"]
        assert rows[f"`{run}`"][1] == f"{metrics['accuracy'] * 100:.2f}%"
        assert rows[f"`{run}`"][3] == f"{metrics['balanced_accuracy'] * 100:.2f}%"
    assert rows["`v1_0`"][1:4] == ["75.00%", "7.27% (Summary, log)", "83.33%"]

    groups = {row[0]: row for row in table_rows(markdown, "| group | test rows | investigation")}
    # direct gets 3 of 4 test rows right, v1_1 1 of 4: Clay/Mud 2/2 vs 1/2, Mafic 1/2 vs 0/2.
    assert groups["`Clay/Mud`"][1] == "2"
    assert groups["`Clay/Mud`"][3] == "100.00%" and groups["`Clay/Mud`"][5] == "50.00%"
    assert groups["`Clay/Mud`"][7] == "+50.00"
    assert groups["`Mafic Igneous`"][7] == "+50.00"
    assert groups["`Sand`"][1] == "–" and groups["`Sand`"][6] == "20.25% (Summary) / 6.82% (log)"
    assert "Higher recall for `direct`: `Clay/Mud`, `Mafic Igneous`." in markdown

    scope = markdown.split("### Scope `all`", 1)[1]
    mean = next(row for row in table_rows(scope, "| feature |") if row[0] == "mean")
    report = documents["reconstruction:all"]
    assert mean[3] == f"{report['scaled']['average']['r2']:.4f}"
    assert mean[6] == f"{report['physical']['average']['r2']:.4f}"


def finding(markdown: str, start: str) -> str:
    return next(line for line in markdown.splitlines() if line.startswith(start))


@pytest.mark.parametrize(
    ("direct", "v1_1", "expected"),
    [(3, 1, "beats"), (1, 3, "trails"), (2, 2, "tie")],
)
def test_headline_direction_follows_the_numbers(documents, direct, v1_1, expected):
    changed = copy.deepcopy(documents)
    for run, document in run_documents(direct_correct=direct, v1_1_correct=v1_1).items():
        changed[f"metrics:{run}"] = json.loads(json.dumps(document))
    markdown = build_summary(inputs_of(changed)).markdown
    line = finding(markdown, "- The direct classifier")
    assert f" {expected} " in line
    direct_value = changed["metrics:direct"]["balanced_accuracy"]
    v1_1_value = changed["metrics:v1_1"]["balanced_accuracy"]
    assert f"({direct_value * 100:.2f}% vs {v1_1_value * 100:.2f}%)" in line


def test_real_data_without_realism_or_optional_results(documents):
    reduced = {k: v for k, v in documents.items() if k != "realism"}
    reduced["config"] = copy.deepcopy(documents["config"])
    reduced["config"]["data"]["source"] = "lily"
    summary = build_summary(inputs_of(reduced))
    assert "real LILY tables read from `data/lily`" in summary.markdown
    assert "Realism" not in summary.markdown and "realism.png" not in summary.markdown
    assert untraced_numbers(summary.markdown, summary.numbers) == []

    bare = {k: v for k, v in reduced.items() if k in ("config", "reference", "ingest")}
    summary = build_summary(inputs_of(bare))
    for title in SECTION_TITLES:
        assert f"## {title}" in summary.markdown
    assert "No classifier was given." in summary.markdown
    assert "No reconstruction report was given." in summary.markdown
    assert "No hierarchy validation was given." in summary.markdown
    assert untraced_numbers(summary.markdown, summary.numbers) == []


def test_simulated_run_without_realism_says_so(documents):
    reduced = {k: v for k, v in documents.items() if k != "realism"}
    markdown = build_summary(inputs_of(reduced)).markdown
    assert "No realism report of the simulated data was given." in markdown


def test_read_inputs_loads_json_csv_and_the_packaged_reference(tmp_path):
    write_json(tmp_path / "a.json", {"x": 1})
    pd.DataFrame({"epoch": [1, 2], "loss": [0.5, 0.25]}).to_csv(tmp_path / "h.csv", index=False)
    inputs = read_inputs({"a": tmp_path / "a.json", "history:v": tmp_path / "h.csv"}, {"k": 1})
    assert inputs.get("a", "x") == 1
    assert inputs.get("history:v", -1, "loss") == 0.25
    assert inputs.config == {"k": 1}
    assert inputs.has("reference", "classifiers", "v1_1")
    assert inputs.paths["a"].endswith("a.json")
    with pytest.raises(KeyError, match="a: y"):
        inputs.get("a", "y")


def test_figures_are_linked_relative_to_the_summary():
    links = figure_links({"a": "results/analysis/a.png", "b": "b.png"}, SUMMARY_PATH)
    assert [(f.title, f.link) for f in links] == [("a", "../analysis/a.png"), ("b", "../../b.png")]
    assert figure_links({"a": "x/a.png"}, "summary.md")[0].link == "x/a.png"
    markdown = build_summary(ReportInputs({"config": load_default_config()})).markdown
    assert "## Figures\n\nNo figure was given." in markdown


# --- the comparisons follow the config (report.comparisons) ---------------------------------------


def renamed_run(documents, old: str, new: str) -> dict:
    """The documents with classifier run `old` called `new`, in the config and in its files."""
    changed = copy.deepcopy(documents)
    config = changed["config"]

    def rename(name):
        return new if name == old else name

    config["classifiers"]["runs"] = {rename(k): v for k, v in config["classifiers"]["runs"].items()}
    report = config["report"]
    for comparison in report["comparisons"]:
        comparison["runs"] = [rename(r) for r in comparison["runs"]]
    report["investigation_runs"] = {rename(k): v for k, v in report["investigation_runs"].items()}
    vae_comparison = config["validation"].get("vae_comparison") or {}
    if vae_comparison.get("direct_run"):
        vae_comparison["direct_run"] = rename(vae_comparison["direct_run"])
    for kind in ("metrics", "classifier"):
        changed[f"{kind}:{new}"] = changed.pop(f"{kind}:{old}")
    changed[f"metrics:{new}"]["run"] = new
    return changed


def comparison_leads(markdown: str) -> list[str]:
    """The first words of each comparison sentence under Classifiers."""
    block = markdown.split("Comparisons the investigation made", 1)[1].split("\n\n")[1]
    return [line[2:].split(":")[0] for line in block.splitlines() if line.startswith("- ")]


@pytest.mark.parametrize("old", ["v1_1", "direct", "v2_6_7_balanced"])
def test_renamed_run_keeps_its_comparisons_and_figures(documents, old):
    original = build_summary(inputs_of(documents)).markdown
    changed = renamed_run(documents, old, "renamed_run")
    check_config(changed["config"])
    summary = build_summary(inputs_of(changed))
    # The same summary, the run's new name in place of the old: every comparison, finding,
    # difference column and investigation figure of the run is still there.
    assert summary.markdown == original.replace(f"`{old}`", "`renamed_run`")
    assert f"`{old}`" not in summary.markdown
    assert untraced_numbers(summary.markdown, summary.numbers) == []
    assert mismatched_numbers(summary.markdown, summary.numbers, changed) == []


def test_default_comparisons_are_stated(documents):
    markdown = build_summary(inputs_of(documents)).markdown
    assert comparison_leads(markdown) == [
        "Raw features against the VAE's μ, same split and groups (Problem 4)",
        "The same pair on plain accuracy",
        "Groups against labels, both weighted; different class sets, so different chance levels",
        "Inverse-frequency class weights against none, same split and labels (Problem 2)",
        "Size-balanced against random borehole split, on two different test sets (Problem 1)",
    ]
    assert "relative difference, 42.30% (Summary)" in markdown
    assert "`v1_1`'s balanced accuracy is " in markdown
    assert finding(markdown, "- Group-level `v1_1` ")


def test_removed_comparison_drops_all_its_sentences(documents):
    changed = copy.deepcopy(documents)
    comparisons = changed["config"]["report"]["comparisons"]
    assert comparisons[0]["runs"] == ["direct", "v1_1"]
    del comparisons[0]
    summary = build_summary(inputs_of(changed))
    markdown = summary.markdown
    assert comparison_leads(markdown) == [
        "Groups against labels, both weighted; different class sets, so different chance levels",
        "Inverse-frequency class weights against none, same split and labels (Problem 2)",
        "Size-balanced against random borehole split, on two different test sets (Problem 1)",
    ]
    assert "The direct classifier" not in markdown
    assert "relative difference" not in markdown
    # No other pair of group-level runs: the per-group table has no difference column.
    assert "(points)" not in markdown and "Higher recall for" not in markdown
    assert finding(markdown, "- Group-level `v1_1` ")
    assert untraced_numbers(markdown, summary.numbers) == []
    assert mismatched_numbers(markdown, summary.numbers, changed) == []


def test_removed_run_leaves_no_trace(documents):
    changed = copy.deepcopy(documents)
    config = changed["config"]
    del config["classifiers"]["runs"]["direct"]
    report = config["report"]
    report["comparisons"] = [c for c in report["comparisons"] if "direct" not in c["runs"]]
    del report["investigation_runs"]["direct"]
    config["validation"]["vae_comparison"]["direct_run"] = None
    check_config(config)
    for kind in ("metrics", "classifier"):
        del changed[f"{kind}:direct"]
    summary = build_summary(inputs_of(changed))
    assert "`direct`" not in summary.markdown
    assert "The direct classifier" not in summary.markdown
    assert len(comparison_leads(summary.markdown)) == 3
    assert untraced_numbers(summary.markdown, summary.numbers) == []


def test_no_comparisons_configured(documents):
    changed = copy.deepcopy(documents)
    changed["config"]["report"]["comparisons"] = []
    markdown = build_summary(inputs_of(changed)).markdown
    assert "- None: the config lists no comparisons (report.comparisons)." in markdown
    assert "- The direct classifier" not in markdown and "- Group-level" not in markdown


def test_run_without_investigation_counterpart_gets_dashes(documents):
    changed = copy.deepcopy(documents)
    del changed["config"]["report"]["investigation_runs"]["v1_1"]
    markdown = build_summary(inputs_of(changed)).markdown
    rows = {row[0]: row for row in table_rows(markdown, "| run | accuracy |")}
    assert rows["`v1_1`"][2] == "–" and rows["`v1_1`"][4] == "–"
    assert rows["`direct`"][4] == "42.32% (Summary, log)"
    # The comparison stays; only the investigation's figures and claims about it go.
    assert "Investigation: 42.32% (Summary, log) vs –." in markdown
    assert "relative difference" not in markdown


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r["comparisons"][0].update(runs=["direct", "v1_2"]),
         r"report\.comparisons\[0\]\.runs: 'v1_2' is not one of classifiers\.runs"),
        (lambda r: r["comparisons"][2].update(runs=["v1_0", "v1_0"]),
         r"report\.comparisons\[2\]\.runs: a comparison needs two different runs"),
        (lambda r: r["investigation_runs"].update(gone="v1_1"),
         r"report\.investigation_runs\.gone: 'gone' is not one of classifiers\.runs"),
    ],
)  # fmt: skip
def test_config_refuses_comparisons_of_unknown_runs(edit, message):
    config = load_default_config()
    edit(config["report"])
    with pytest.raises(ConfigError, match=message):
        check_config(config)


def test_config_refuses_a_renamed_run_that_report_still_names():
    config = load_default_config()
    runs = config["classifiers"]["runs"]
    runs["vae_groups"] = runs.pop("v1_1")
    with pytest.raises(ConfigError, match=r"report\.comparisons\[0\]\.runs: 'v1_1'"):
        check_config(config)


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda r: r["comparisons"][0].update(finding=["no run", "{run}"]),
         "report.comparisons.0.finding.0"),
        (lambda r: r["comparisons"][0].update(metrics=["f1"]), "report.comparisons.0.metrics.0"),
        (lambda r: r["comparisons"][0].update(runs=["direct"]), "report.comparisons.0.runs"),
        (lambda r: r["comparisons"][0].update(name="x"), "report.comparisons.0: Additional"),
        (lambda r: r["investigation_runs"].update(v1_1="v9"), "report.investigation_runs.v1_1"),
        (lambda r: r.update(extra=1), "report: Additional"),
        (lambda r: r.pop("comparisons"), "report: 'comparisons' is a required property"),
    ],
)  # fmt: skip
def test_schema_of_the_report_section(edit, key):
    config = load_default_config()
    assert schema_errors(config, SCHEMA) == []
    edit(config["report"])
    errors = schema_errors(config, SCHEMA)
    assert errors and all(line.startswith(f"config key {key}") for line in errors), errors


def vae_comparison_rows(direct_like: tuple[float, float, float]) -> list[dict]:
    """vae_comparison.csv records: v2_6_7 (v1_1) low, tcvae as given, latent20 without a run."""

    def row(vae, kind, run, mean, low, high):
        return {"vae": vae, "kind": kind, "latent_dim": 10, "beta_end": 0.75,
                "recon_r2_physical_test": 0.6, "active_latent_dims_test": 4,
                "ari_expert_groups": 0.1, "classifier_run": run, "balanced_accuracy_mean": mean,
                "balanced_accuracy_low": low, "balanced_accuracy_high": high,
                "balanced_accuracy_n": 3}  # fmt: skip

    return [
        row("v2_6_7", "vae", "v1_1", 0.20, 0.18, 0.22),
        row("tcvae", "beta_tcvae", "v1_1_tcvae", *direct_like),
        row("latent20", "vae", float("nan"), float("nan"), float("nan"), float("nan")),
    ]


@pytest.mark.parametrize(
    ("tcvae", "expected"),
    [
        ((0.50, 0.45, 0.55), "reaches the direct run (no distinguishable difference from `direct`, "
         "or above it): `tcvae`"),
        ((0.21, 0.19, 0.23), "No VAE change closes the gap"),
    ],
)  # fmt: skip
def test_vae_variants_section_answers_from_the_intervals(documents, tcvae, expected):
    changed = copy.deepcopy(documents)
    changed["vae_comparison"] = vae_comparison_rows(tcvae)
    changed["metrics:direct"]["balanced_accuracy"] = 0.5
    changed["metrics:direct"]["intervals"] = {
        "balanced_accuracy": {
            "mean": 0.5,
            "std": 0.02,
            "low": 0.46,
            "high": 0.54,
            "n": 3,
            "method": "t",
            "confidence": 0.95,
        }
    }
    changed["config"]["validation"]["vae_comparison"] = {
        "classifier_target": "group",
        "direct_run": "direct",
    }
    summary = build_summary(inputs_of(changed))
    section = summary.markdown.split("## VAE variants", 1)[1].split("\n## ", 1)[0]
    assert expected in section
    assert "below the direct run, with intervals that do not overlap" in section
    assert "| `latent20` | vae |" in section and "| – | – |" in section
    higher = "higher for `tcvae`" if tcvae[1] > 0.22 else "higher for none"
    assert higher in section
    assert untraced_numbers(summary.markdown, summary.numbers) == []
    assert mismatched_numbers(summary.markdown, summary.numbers, changed) == []
