"""The sections of the investigation summary, each built from the run's results by a Tracer."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lithoflow.report.tracing import DASH, Const, Key, Op, Tracer, div, length, ref, sub, to_number
from lithoflow.report.wording import (
    DECIMAL_WORDS,
    REFERENCE_LEGEND,
    REFERENCE_SOURCES,
    code,
    compare_sentence,
    figure_row,
    names,
    reference_text,
    table,
)

# --- shared look-ups ------------------------------------------------------------------------------

PARTS = ("train", "val", "test")
LEVELS = ("lithology", "group")


def _runs(t: Tracer) -> list[str]:
    return [r for r in t.inputs.config["classifiers"]["runs"] if t.inputs.has(f"metrics:{r}")]


def _spec(t: Tracer, run: str) -> Mapping[str, Any]:
    return t.inputs.get(f"metrics:{run}", "spec")


def _scopes(t: Tracer) -> list[str]:
    scopes = t.inputs.config["validation"]["reconstruction_scopes"]
    return [s for s in scopes if t.inputs.has(f"reconstruction:{s}")]


def _recall_index(t: Tracer, run: str) -> dict[str, int]:
    """Class -> its index in the run's per_class_recall (the classes present in test)."""
    rows = t.inputs.get(f"metrics:{run}", "per_class_recall", default=[])
    return {str(row["class"]): i for i, row in enumerate(rows)}


def _recall(t: Tracer, run: str, index: Mapping[str, int], name: str) -> str:
    i = index.get(name)
    return (
        DASH
        if i is None
        else t.at(f"metrics:{run}", "per_class_recall", i, "recall", fmt="percent")
    )


def _versus(t: Tracer, path_a: Sequence[Key], path_b: Sequence[Key], fmt: str) -> str:
    return f"{reference_text(t, path_a, fmt)} vs {reference_text(t, path_b, fmt)}"


# --- sections -------------------------------------------------------------------------------------

TITLE = "lithoflow: the VAE classifier investigation, re-run"
SECTION_FINDINGS = "Key findings"
SECTION_DATA = "Data and protocol"
SECTION_IMBALANCE = "Problem 2: class imbalance"
SECTION_MISMATCH = "Problem 1: split mismatch"
SECTION_CLASSIFIERS = "Classifiers"
SECTION_GROUPS = "Per-group accuracy"
SECTION_RECONSTRUCTION = "VAE reconstruction"
SECTION_LATENT = "Latent utilisation"
SECTION_GROUP_ERRORS = "Reconstruction error by group"
SECTION_HIERARCHY = "Problem 3: hierarchy validation"
SECTION_LIMITS = "What this run can and cannot tell"
SECTION_FIGURES = "Figures"

# The investigation's comparisons, by run name: subject, other, metric key, metric words, why.
COMPARISONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("direct", "v1_1", "balanced_accuracy", "balanced accuracy",
     "raw features against the VAE's μ, same split and groups (Problem 4)"),
    ("direct", "v1_1", "accuracy", "accuracy", "the same pair on plain accuracy"),
    ("v1_1", "v1_0", "balanced_accuracy", "balanced accuracy",
     "groups against labels, both weighted; different class sets, so different chance levels"),
    ("v1_0", "v2_6_7_balanced", "accuracy", "accuracy",
     "inverse-frequency class weights against none, same split and labels (Problem 2)"),
    ("v2_6_7_balanced", "v2_6_7_random", "accuracy", "accuracy",
     "size-balanced against random borehole split, on two different test sets (Problem 1)"),
)  # fmt: skip
GROUP_PAIR = ("direct", "v1_1")
TOP_TEST_CLASSES = 10
TOP_MISMATCHES = 5
FIGURES: tuple[tuple[str, str], ...] = (
    ("class distribution of the lithologies", "../analysis/lithology_distribution.png"),
    ("class distribution of the groups", "../analysis/group_distribution.png"),
    ("split mismatch of every method", "../analysis/split_mismatch.png"),
    ("dendrogram of the lithology centroids", "../figures/hierarchy_dendrogram.png"),
    ("VAE reconstruction validation", "../figures/vae_reconstruction_validation.png"),
)


def header_lines(t: Tracer) -> list[str]:
    legend = "; ".join(f"*{label}*: {REFERENCE_LEGEND[key]}" for key, label in REFERENCE_SOURCES)
    return [
        f"# {TITLE}",
        "",
        "Every number below comes from this run's result files; the investigation's published "
        "figure stands beside it, in the columns and sentences marked *investigation*, labelled "
        f"with its source ({legend}). *Summary, unsupported* marks a Summary figure that no log "
        "backs; a dash means there is no such figure. Run names, classes and groups are set in "
        "code type.",
        "",
    ]


def findings_section(t: Tracer) -> list[str]:
    lines = [f"## {SECTION_FINDINGS}", ""]
    runs = set(_runs(t))
    pairs = (
        ("direct", "v1_1", f"The direct classifier ({code('direct')}, raw features)",
         f"the VAE classifier {code('v1_1')}"),
        ("v1_1", "v1_0", f"Group-level {code('v1_1')}", f"label-level {code('v1_0')}"),
    )  # fmt: skip
    for a, b, subject, other in pairs:
        if {a, b} <= runs:
            metric = "balanced_accuracy"
            sentence = compare_sentence(
                t,
                subject,
                other,
                "balanced accuracy",
                ref(f"metrics:{a}", metric),
                ref(f"metrics:{b}", metric),
            )
            investigation = _versus(
                t, ("classifiers", a, metric), ("classifiers", b, metric), "percent"
            )
            lines.append(f"- {sentence} Investigation: {investigation}.")
    scopes = _scopes(t)
    if scopes:
        parts = []
        for scope in scopes:
            source = f"reconstruction:{scope}"
            scaled = t.num(ref(source, "scaled", "average", "r2"), "decimal")
            physical = t.num(ref(source, "physical", "average", "r2"), "decimal")
            sample = t.inputs.get(source, "sample")
            parts.append(f"{scaled} scaled and {physical} physical on {code(scope)} ({sample})")
        lines.append(
            f"- VAE reconstruction, mean R²: {'; '.join(parts)}. Investigation: "
            f"{reference_text(t, ('reconstruction', 'scaled', 'average', 'r2'), 'decimal')} "
            "scaled, on all rows (in-sample); "
            f"{reference_text(t, ('reconstruction', 'physical', 'average', 'r2'), 'decimal')} "
            "physical, for a later model."
        )
    if t.inputs.has("hierarchy"):
        lines.append(
            "- Expert groups against Ward clusters of the lithology centroids: ARI "
            f"{t.at('hierarchy', 'adjusted_rand_index', fmt='decimal')} "
            f"({t.inputs.get('hierarchy', 'verdict')}). Investigation: "
            f"{reference_text(t, ('hierarchy', 'adjusted_rand_index'), 'decimal')}."
        )
    if len(lines) == 2:
        lines.append("No classifier, reconstruction or hierarchy results were given.")
    return [*lines, ""]


def _source_lines(t: Tracer) -> list[str]:
    data = t.inputs.config["data"]
    if data["source"] == "lily":
        return [f"**Data source:** real LILY tables read from {code(data['lily_dir'])}.", ""]
    if data["source"] == "table":
        return [f"**Data source:** one tidy table, {code(data['table']['path'])}.", ""]
    lines = [
        "**Data source:** tables written by lithoflow's LILY simulator at scale "
        f"{code(t.inputs.config['simulate']['scale'])}, seed "
        f"{t.num(ref('config', 'simulate', 'seed'), 'plain')}. Simulated data exercise the "
        "workflow end to end; their numbers describe the simulation, not the real LILY "
        "database, so they are not expected to match the investigation's.",
        "",
    ]
    if not t.inputs.has("realism", "summary"):
        return [*lines, "No realism report of the simulated data was given.", ""]
    summary = ("realism", "summary")
    failed = t.inputs.get(*summary, "meaningful_failed", default=[])
    return [
        *lines,
        f"Realism of the simulation at scale {code(t.inputs.get('realism', 'scale'))}: "
        f"{t.at(*summary, 'meaningful_passed', fmt='count')} of "
        f"{t.at(*summary, 'meaningful_checks', fmt='count')} checks that mean something at this "
        f"scale passed ({t.at(*summary, 'passed', fmt='count')} of "
        f"{t.at(*summary, 'checks', fmt='count')} checks in all); failed: {names(failed)}.",
        "",
    ]


STEP_RULES = {
    "bin": "rows with a missing value",
    "join": "bins with no match in this table",
    "dropna": "rows with a missing value",
}
STEP_COLUMNS = (("rows_in", "rows in"), ("rows", "rows out"), ("boreholes", "boreholes"),
                ("removed", "removed"))  # fmt: skip


def _ingest_lines(t: Tracer) -> list[str]:
    if not t.inputs.has("ingest"):
        return ["No ingestion report was given.", ""]
    rows = []
    for i, step in enumerate(t.inputs.get("ingest", "steps")):
        name = str(step["step"])
        rule = STEP_RULES.get(name.split(" ")[0], DASH)
        if "range" in step:
            low, high = (t.num(ref("ingest", "steps", i, "range", j), "plain") for j in (0, 1))
            rule = f"outside [{low}, {high}]"
        investigation = "; ".join(
            f"{label} {reference_text(t, ('data', 'steps', name, key), 'count')}"
            for key, label in STEP_COLUMNS
            if t.inputs.has("reference", "data", "steps", name, key)
        )
        numbers = [t.at("ingest", "steps", i, key, fmt="count") for key, _ in STEP_COLUMNS]
        rows.append([code(name), *numbers, rule, investigation or DASH])
    header = ["step", *(label for _, label in STEP_COLUMNS), "why", "investigation"]
    dataset = [
        figure_row(t, "bin size (m)", "ingest", ("bin_size_m",), "plain", ("data", "bin_size_m")),
        figure_row(t, "rows (bins)", "ingest", ("final", "rows"), "count", ("data", "rows")),
        figure_row(t, "boreholes", "ingest", ("final", "boreholes"), "count",
                   ("data", "boreholes")),
        figure_row(t, "labels", "ingest", ("final", "labels"), "count", ("data", "labels")),
        ["features", names(t.inputs.get("ingest", "features", default=[])),
         names(["GRA", "MS", "NGR", "R", "G", "B"])],
    ]  # fmt: skip
    return [
        "Ingestion, step by step (rows out are bins after binning):",
        "",
        *table(header, rows),
        *table(["dataset", "this run", "investigation"], dataset),
    ]


# VAE table rows: label, path in the VAE's config.json, format, path in the reference.
VAE_ROWS: tuple[tuple[str, tuple[str, ...], str, tuple[str, ...]], ...] = (
    ("training rows", ("rows", "train"), "count", ("vae", "training_rows")),
    ("scaler rows", ("rows", "scaler_fit"), "count", ("vae", "training_rows")),
    ("epochs", ("training", "epochs"), "count", ("vae", "epochs")),
    ("latent dimensions", ("architecture", "latent_dim"), "count", ("vae", "latent_dim")),
    ("β at the end", ("training", "beta_end"), "plain", ("vae", "beta_end")),
    ("parameters", ("architecture", "parameters"), "count", ("vae", "parameters")),
)
HISTORY_ROWS = (("loss", "loss"), ("recon", "reconstruction"), ("kl", "KL"), ("beta", "β"))


def _vae_lines(t: Tracer) -> list[str]:
    vaes = [v for v in t.inputs.config["vae"]["models"] if t.inputs.has(f"vae:{v}")]
    if not vaes:
        return ["No VAE was given.", ""]
    protocol = t.inputs.get("reference", "protocol", default={})
    rows = [
        ["split", *(code(t.inputs.get(f"vae:{v}", "split")) for v in vaes),
         protocol.get("vae_split", DASH)],
        ["trained on", *(code(t.inputs.get(f"vae:{v}", "train_on")) for v in vaes),
         code(protocol.get("vae_train_on", DASH))],
        ["scaler fitted on", *(code(t.inputs.get(f"vae:{v}", "scaler_fit")) for v in vaes),
         code(protocol.get("vae_scaler_fit", DASH))],
    ]  # fmt: skip
    for label, path, fmt, reference in VAE_ROWS:
        cells = [t.at(f"vae:{v}", *path, fmt=fmt) for v in vaes]
        rows.append([label, *cells, reference_text(t, reference, fmt)])
    for column, label in HISTORY_ROWS:
        cells = [t.at(f"history:{v}", -1, column, fmt="decimal") for v in vaes]
        reference = reference_text(t, ("vae", "final_epoch", column), "decimal")
        rows.append([f"last epoch: {label}", *cells, reference])
    header = ["VAE", *(code(v) for v in vaes), "investigation"]
    return ["The VAE (losses per row of its own training rows):", "", *table(header, rows)]


def _split_lines(t: Tracer) -> list[str]:
    methods = [m for m in t.inputs.config["splits"]["methods"] if t.inputs.has(f"split:{m}")]
    fractions = ", ".join(
        f"{part} {t.num(ref('config', 'splits', 'fractions', part), 'plain')}" for part in PARTS
    )
    rows = [
        [
            code(method),
            part,
            t.at(f"split:{method}", "parts", part, "n_boreholes", fmt="count"),
            t.at(f"split:{method}", "parts", part, "rows", fmt="count"),
            t.at(f"split:{method}", "parts", part, "row_fraction", fmt="percent"),
            reference_text(t, ("splits", method, "boreholes", part), "count"),
            reference_text(t, ("splits", method, "rows", part), "count"),
        ]
        for method in methods
        for part in PARTS
    ]
    header = ["method", "part", "boreholes", "rows", "share of rows"]
    header += ["investigation boreholes", "investigation rows"]
    return [
        f"Borehole splits: methods {names(methods)}; target row fractions {fractions}; seed "
        f"{t.num(ref('config', 'splits', 'seed'), 'plain')}. Whole boreholes go to one part.",
        "",
        *table(header, rows),
    ]


def _classifier_protocol_lines(t: Tracer) -> list[str]:
    runs = _runs(t)
    if not runs:
        return ["No classifier was given.", ""]
    rows = []
    for run in runs:
        spec, source = _spec(t, run), f"metrics:{run}"
        if spec["input"] == "embedding":
            inputs, scaler, leakage = f"μ of {code(spec.get('vae'))}", "none (μ as is)", DASH
            if t.inputs.get(source, "leakage", default=None):
                seen = t.at(source, "leakage", "test_boreholes_seen_by_vae", fmt="count")
                leakage = f"{seen} of {t.at(source, 'leakage', 'test_boreholes', fmt='count')}"
        else:
            inputs, scaler, leakage = "raw features", code(spec.get("scaler_fit")), "none (no VAE)"
        settings = (spec[k] for k in ("target", "split", "class_weighting", "selection_metric"))
        rows.append([code(run), inputs, *(code(s) for s in settings), scaler, leakage])
    header = ["run", "input", "target", "split", "class weights", "model selection on"]
    header += ["input scaler fitted on", "test boreholes the VAE trained on"]
    defaults = ("config", "classifiers", "defaults")
    return [
        "Classifier runs (a test borehole the VAE trained on makes that run transductive):",
        "",
        *table(header, rows),
        f"Shared training settings: at most {t.num(ref(*defaults, 'max_epochs'), 'plain')} "
        f"epochs, early-stopping patience {t.num(ref(*defaults, 'patience'), 'plain')}, seed "
        f"{t.num(ref(*defaults, 'seed'), 'plain')}. Investigation: at most "
        f"{reference_text(t, ('classifier_training', 'max_epochs'), 'count')} epochs, patience "
        f"{reference_text(t, ('classifier_training', 'patience'), 'count')}.",
        "",
    ]


def data_section(t: Tracer) -> list[str]:
    return [
        f"## {SECTION_DATA}",
        "",
        *_source_lines(t),
        *_ingest_lines(t),
        *_vae_lines(t),
        *_split_lines(t),
        *_classifier_protocol_lines(t),
    ]


def _under_keys(t: Tracer) -> list[str]:
    """The distribution reports' under_<threshold>_percent keys, largest threshold first."""
    keys: set[str] = set()
    for level in LEVELS:
        document = t.inputs.get(f"{level}_distribution", default={})
        keys.update(k for k in document if k.startswith("under_") and k.endswith("_percent"))
    return sorted(keys, key=lambda k: -float(k.removeprefix("under_").removesuffix("_percent")))


# Rows below each threshold of rarity: label (with the threshold), key, format.
UNDER_ROWS = (
    ("classes under {} of rows", "n_classes", "count"),
    ("their share of classes", "percent_of_classes", "percent_value"),
    ("rows in them", "rows", "count"),
    ("their share of rows", "percent_of_rows", "percent_value"),
)


def imbalance_section(t: Tracer) -> list[str]:
    lines = [f"## {SECTION_IMBALANCE}", ""]
    levels = [lv for lv in LEVELS if t.inputs.has(f"{lv}_distribution")]
    if not levels:
        return [*lines, "No class distribution was given.", ""]

    def row(label: str, path: Sequence[Key], fmt: str, reference: Sequence[Key] = ()) -> list:
        """This run's number and the investigation's, for lithologies then groups."""
        cells = [label]
        for level in LEVELS:
            cells.append(t.at(f"{level}_distribution", *path, fmt=fmt))
            quoted = ("imbalance", level, *reference)
            cells.append(reference_text(t, quoted, fmt) if reference else DASH)
        return cells

    def largest(level: str) -> list[str]:
        name = t.inputs.get(f"{level}_distribution", "largest_class", "name", default=None)
        quoted = t.inputs.get("reference", "imbalance", level, "largest_class_name", default=None)
        return [code(name) if name else DASH, code(quoted) if quoted else DASH]

    def share(level: str) -> list[str]:
        source = f"{level}_distribution"
        quoted = reference_text(t, ("imbalance", level, "largest_class_share"), "percent")
        if not t.inputs.has(source, "largest_class", "count"):
            return [DASH, quoted]
        rows_share = div(ref(source, "largest_class", "count"), ref(source, "total_rows"))
        return [t.num(rows_share, "percent"), quoted]

    def tied_smallest(level: str) -> list[str]:
        source = f"{level}_distribution"
        if not t.inputs.has(source, "smallest_classes", "names"):
            return [DASH, DASH]
        return [t.num(length(ref(source, "smallest_classes", "names")), "count"), DASH]

    rows = [
        row("rows", ("total_rows",), "count", ("total_rows",)),
        row("classes", ("n_classes",), "count", ("n_classes",)),
        ["largest class", *(c for level in LEVELS for c in largest(level))],
        row("rows of the largest class", ("largest_class", "count"), "count",
            ("largest_class_count",)),
        ["its share of rows", *(c for level in LEVELS for c in share(level))],
        row("rows of the smallest class", ("smallest_classes", "count"), "count",
            ("smallest_class_count",)),
        ["classes that small", *(c for level in LEVELS for c in tied_smallest(level))],
        row("largest : smallest", ("max_min_ratio",), "real", ("max_min_ratio",)),
        row("median class size", ("median_class_size",), "real", ("median_class_size",)),
        row("mean class size", ("mean_class_size",), "real", ("mean_class_size",)),
        row("single-row classes", ("n_single_row_classes",), "count", ("n_single_row_classes",)),
        row("entropy (bits)", ("entropy_bits",), "decimal"),
    ]  # fmt: skip
    for key in _under_keys(t):
        source = next(
            f"{lv}_distribution" for lv in levels if t.inputs.has(f"{lv}_distribution", key)
        )
        threshold = t.num(ref(source, key, "threshold_percent"), "percent_value")
        rows += [row(label.format(threshold), (key, name), fmt, (key, name))
                 for label, name, fmt in UNDER_ROWS]  # fmt: skip
    return [
        *lines,
        "How unequal the classes are, over every row of the dataset, for the lithology labels "
        "and for the expert groups:",
        "",
        *table(["", "lithologies", "investigation", "groups", "investigation"], rows),
    ]


def _mismatch_methods(t: Tracer) -> list[str]:
    found = t.inputs.get("mismatch", "methods")
    methods = [m for m in t.inputs.config["splits"]["methods"] if m in found]
    return methods + [m for m in found if m not in methods]


def _mismatch_table(t: Tracer, methods: Sequence[str]) -> list[str]:
    rows = []
    for method in methods:
        base = ("mismatch", "methods", method)
        rows.append(
            [
                code(method),
                t.at(*base, "classes", "n_missing_from_train", "test", fmt="count"),
                t.at(*base, "classes", "n_missing_from_train", "val", fmt="count"),
                t.at(*base, "groups", "n_missing_from_train", "test", fmt="count"),
                *(t.at(*base, "classes", "jsd_bits_from_whole", p, fmt="decimal") for p in PARTS),
                t.at(*base, "groups", "jsd_bits_from_whole", "test", fmt="decimal"),
                reference_text(t, ("splits", method, "test_classes_missing_from_train"), "count"),
            ]
        )
    header = ["method", "test classes missing from train", "val classes missing from train"]
    header += ["test groups missing from train", "JSD train", "JSD val", "JSD test"]
    header += ["JSD test (groups)", "investigation: test classes missing from train"]
    lines = table(header, rows)
    counts = {
        m: t.inputs.get("mismatch", "methods", m, "classes", "n_missing_from_train", "test")
        for m in methods
        if t.inputs.has("mismatch", "methods", m, "classes", "n_missing_from_train", "test")
    }
    if counts:
        best = [m for m, n in counts.items() if n == min(counts.values())]
        path = ("mismatch", "methods", best[0], "classes", "n_missing_from_train", "test")
        lines += [
            f"Fewest test classes missing from train: {names(best)} "
            f"({t.num(ref(*path), 'count')}).",
            "",
        ]
    return lines


def _entropy_table(t: Tracer, methods: Sequence[str]) -> list[str]:
    rows = []
    for method in methods:
        for level in ("classes", "groups"):
            base = ("mismatch", "methods", method, level, "entropy_bits")
            if t.inputs.has(*base):
                investigation = " / ".join(
                    reference_text(t, ("splits", method, "entropy_bits", level, p), "decimal")
                    for p in PARTS
                )
                numbers = [t.at(*base, p, fmt="decimal") for p in ("whole", *PARTS)]
                rows.append([code(method), level, *numbers, investigation])
    header = ["method", "level", "whole", "train", "val", "test"]
    header.append("investigation train / val / test")
    return ["Entropy of the class shares (bits):", "", *table(header, rows)]


def _worst_mismatch_lines(t: Tracer, methods: Sequence[str]) -> list[str]:
    lines = []
    minimum = t.at("mismatch", "min_test_rows", fmt="count")
    for method in methods:
        base = ("mismatch", "methods", method, "worst_mismatches")
        worst = t.inputs.get(*base, default=[])[:TOP_MISMATCHES]
        if not worst:
            lines += [f"Under {code(method)} no class has at least {minimum} test rows.", ""]
            continue
        columns = (("train_count", "count"), ("test_count", "count"),
                   ("train_percent", "percent_value"), ("test_percent", "percent_value"),
                   ("test_train_ratio", "real"))  # fmt: skip
        rows = [
            [code(item["label"]), code(item["group"]) if item.get("group") else DASH,
             *(t.at(*base, i, key, fmt=fmt) for key, fmt in columns)]
            for i, item in enumerate(worst)
        ]  # fmt: skip
        header = ["class", "group", "train rows", "test rows", "train share", "test share"]
        header.append("test share / train share")
        lines += [
            f"Worst mismatches under {code(method)} (classes with at least {minimum} test rows):",
            "",
            *table(header, rows),
        ]
    path = ("splits", "random", "worst_mismatch")
    if t.inputs.has("reference", *path, "label"):
        lines += [
            f"Investigation, random split: {code(t.inputs.get('reference', *path, 'label'))} with "
            f"{reference_text(t, (*path, 'train_count'), 'count')} training and "
            f"{reference_text(t, (*path, 'test_count'), 'count')} test rows, a ratio of "
            f"{reference_text(t, (*path, 'test_train_ratio'), 'real')}.",
            "",
        ]
    return lines


def mismatch_section(t: Tracer) -> list[str]:
    lines = [f"## {SECTION_MISMATCH}", ""]
    if not t.inputs.has("mismatch", "methods"):
        return [*lines, "No split comparison was given.", ""]
    methods = _mismatch_methods(t)
    lines += [
        "A class in the test part but not in the training part can never be predicted, and a "
        "test part unlike the training part makes accuracy a statement about that test part. "
        "Jensen-Shannon divergences (JSD, bits) compare each part's class shares with the whole "
        "dataset's.",
        "",
        *_mismatch_table(t, methods),
        *_entropy_table(t, methods),
    ]
    for method in methods:
        base = ("mismatch", "methods", method, "classes", "missing_from_train", "test")
        listed = ", ".join(
            f"{code(label)} (n = {t.num(ref(*base, label), 'count')})"
            for label in sorted(t.inputs.get(*base, default={}))
        )
        lines += [
            f"Test classes missing from train under {code(method)}, with their test rows: "
            f"{listed or 'none'}.",
            "",
        ]
    return [*lines, *_worst_mismatch_lines(t, methods)]


def _classifier_tables(t: Tracer, runs: Sequence[str]) -> list[str]:
    rows = []
    for run in runs:
        source = f"metrics:{run}"
        present = t.at(source, "n_test_classes_present", fmt="count")
        rows.append(
            [
                code(run),
                t.at(source, "accuracy", fmt="percent"),
                reference_text(t, ("classifiers", run, "accuracy"), "percent"),
                t.at(source, "balanced_accuracy", fmt="percent"),
                reference_text(t, ("classifiers", run, "balanced_accuracy"), "percent"),
                t.at(source, "macro_f1", fmt="percent"),
                f"{present} of {t.at(source, 'n_classes', fmt='count')}",
                t.at(source, "rows", "test", fmt="count"),
            ]
        )
    header = ["run", "accuracy", "investigation", "balanced accuracy", "investigation"]
    header += ["macro F-score", "classes present in test", "test rows"]
    training = []
    for run in runs:
        source = f"metrics:{run}"
        selection = t.inputs.get(source, "selection_metric", default="")
        best = DASH
        if selection and t.inputs.has(source, "best_validation", selection):
            best = f"{code(selection)} {t.at(source, 'best_validation', selection, fmt='percent')}"
        training.append(
            [
                code(run),
                t.at(f"classifier:{run}", "architecture", "parameters", fmt="count"),
                reference_text(t, ("classifiers", run, "parameters"), "count"),
                t.at(source, "class_weight_ratio", fmt="real"),
                reference_text(t, ("classifiers", run, "class_weight_ratio"), "real"),
                t.at(source, "best_epoch", fmt="count"),
                t.at(source, "stop_epoch", fmt="count"),
                reference_text(t, ("classifiers", run, "stop_epoch"), "count"),
                best,
            ]
        )
    training_header = ["run", "parameters", "investigation", "largest : smallest class weight"]
    training_header += ["investigation", "best epoch", "last epoch", "investigation: last epoch"]
    training_header.append("best validation score")
    return [
        "Test metrics. Balanced accuracy is the mean recall over the classes present in the "
        "test part only.",
        "",
        *table(header, rows),
        "Training:",
        "",
        *table(training_header, training),
    ]


def _chance(run: str) -> Op:
    """One over the number of classes present in the run's test part."""
    return div(Const(1), ref(f"metrics:{run}", "n_test_classes_present"))


def _ratio_line(t: Tracer, subject: str, other: str, metric: str) -> str:
    """v1.1 against v1.0 as a multiple, with the chance level of each (one over K)."""
    ratio = div(ref(f"metrics:{subject}", metric), ref(f"metrics:{other}", metric))
    finite = math.isfinite(to_number(t.value(ratio)))
    shown = f"{t.num(ratio, 'real')} times" if finite else "not a finite multiple of"
    chance = ", ".join(f"{code(r)} {t.num(_chance(r), 'percent')}" for r in (subject, other))
    claim = ("comparisons", "v1_1_vs_v1_0", "balanced_accuracy_ratio")
    return (
        f"  {code(subject)}'s balanced accuracy is {shown} {code(other)}'s (investigation: "
        f"{reference_text(t, claim, 'real')} times). Chance level (one over the classes present "
        f"in test): {chance}."
    )


def _comparison_lines(t: Tracer, runs: Sequence[str]) -> list[str]:
    lines = ["Comparisons the investigation made, recomputed from this run:", ""]
    for subject, other, metric, words, why in COMPARISONS:
        if not {subject, other} <= set(runs):
            continue
        a, b = ref(f"metrics:{subject}", metric), ref(f"metrics:{other}", metric)
        sentence = compare_sentence(t, code(subject), code(other), words, a, b)
        investigation = _versus(
            t, ("classifiers", subject, metric), ("classifiers", other, metric), "percent"
        )
        lines.append(f"- {why[0].upper()}{why[1:]}: {sentence} Investigation: {investigation}.")
        if (subject, other, metric) == ("direct", "v1_1", "balanced_accuracy"):
            claim = ("comparisons", "direct_vs_v1_1", "balanced_accuracy_relative")
            lines.append(
                f"  The investigation reads its relative difference, "
                f"{reference_text(t, claim, 'percent')}, as discriminative information the VAE "
                "loses; it is a relative gain in balanced accuracy, not a measure of information."
            )
        if (subject, other, metric) == ("v1_1", "v1_0", "balanced_accuracy"):
            lines.append(_ratio_line(t, subject, other, metric))
    if len(lines) == 2:
        lines.append("- None: the runs they compare are not all configured.")
    return [*lines, ""]


def _top_class_lines(t: Tracer, runs: Sequence[str]) -> list[str]:
    """Recall of the largest test classes of the label-level runs, one table per split."""
    by_split: dict[str, list[str]] = {}
    for run in runs:
        if _spec(t, run)["target"] == "lithology":
            by_split.setdefault(str(_spec(t, run)["split"]), []).append(run)
    lines: list[str] = []
    for split, split_runs in by_split.items():
        first = split_runs[0]
        top = t.inputs.get(f"metrics:{first}", "per_class_recall", default=[])[:TOP_TEST_CLASSES]
        indices = {run: _recall_index(t, run) for run in split_runs}
        rows = []
        for i, item in enumerate(top):
            label = str(item["class"])
            row = [
                code(label),
                t.at(f"metrics:{first}", "per_class_recall", i, "support", fmt="count"),
            ]
            for run in split_runs:
                row.append(_recall(t, run, indices[run], label))
                row.append(reference_text(t, ("per_class_recall", run, label, "recall"), "percent"))
            rows.append(row)
        header = ["class", "test rows"]
        for run in split_runs:
            header += [f"recall {code(run)}", "investigation"]
        lines += [
            f"Recall of the largest test classes, split {code(split)} (label-level runs):",
            "",
            *table(header, rows),
        ]
    return lines


def classifiers_section(t: Tracer) -> list[str]:
    lines = [f"## {SECTION_CLASSIFIERS}", ""]
    runs = _runs(t)
    if not runs:
        return [*lines, "No classifier was given.", ""]
    return [
        *lines,
        *_classifier_tables(t, runs),
        *_comparison_lines(t, runs),
        *_top_class_lines(t, runs),
    ]


def _group_runs(t: Tracer) -> list[str]:
    """The group-level runs, the GROUP_PAIR first."""
    runs = [r for r in _runs(t) if _spec(t, r)["target"] == "group"]
    first = [r for r in GROUP_PAIR if r in runs]
    return first + [r for r in runs if r not in first]


def groups_section(t: Tracer) -> list[str]:
    lines = [f"## {SECTION_GROUPS}", ""]
    runs = _group_runs(t)
    if not runs:
        return [*lines, "No group-level classifier was given.", ""]
    indices = {run: _recall_index(t, run) for run in runs}
    order: list[str] = []
    for run in runs:
        order += [g for g in indices[run] if g not in order]
    # The investigation's groups that this run's test parts lack still get a row, with dashes.
    quoted = t.inputs.get("reference", "per_group_recall", default={})
    for run in runs:
        order += [g for g in quoted.get(run, {}) if g not in order]
    pair = all(r in runs for r in GROUP_PAIR)
    higher: dict[str, list[str]] = {run: [] for run in GROUP_PAIR}
    equal: list[str] = []
    rows = []
    for group in order:
        holder = next((r for r in runs if group in indices[r]), None)
        quoted_by = next((r for r in runs if group in quoted.get(r, {})), None)
        row = [
            code(group),
            DASH if holder is None else t.at(f"metrics:{holder}", "per_class_recall",
                                             indices[holder][group], "support", fmt="count"),
            DASH if quoted_by is None else reference_text(
                t, ("per_group_recall", quoted_by, group, "support"), "count"),
        ]  # fmt: skip
        for run in runs:
            row.append(_recall(t, run, indices[run], group))
            row.append(reference_text(t, ("per_group_recall", run, group, "recall"), "percent"))
        if pair and all(group in indices[r] for r in GROUP_PAIR):
            a, b = (ref(f"metrics:{r}", "per_class_recall", indices[r][group], "recall")
                    for r in GROUP_PAIR)  # fmt: skip
            row.append(t.num(sub(a, b), "signed_points"))
            if t.text(a, "percent") == t.text(b, "percent"):
                equal.append(group)
            else:
                up = to_number(t.value(a)) > to_number(t.value(b))
                higher[GROUP_PAIR[0] if up else GROUP_PAIR[1]].append(group)
        elif pair:
            row.append(DASH)
        rows.append(row)
    header = ["group", "test rows", "investigation test rows"]
    for run in runs:
        header += [f"recall {code(run)}", "investigation"]
    if pair:
        header.append(f"{code(GROUP_PAIR[0])} − {code(GROUP_PAIR[1])} (points)")
    lines += [
        "Recall (per-group accuracy) on the test part. Groups this run's test part lacks but the "
        "investigation reports show dashes here.",
        "",
        *table(header, rows),
    ]
    if pair:
        first, second = GROUP_PAIR
        lines += [
            f"Higher recall for {code(first)}: {names(higher[first])}. Higher for "
            f"{code(second)}: {names(higher[second])}. Equal: {names(equal)}.",
            "",
        ]
    for run in runs:
        absent = t.inputs.get(f"metrics:{run}", "classes_absent_from_test", default=[])
        lines.append(f"- Groups of {code(run)} absent from its test part: {names(absent)}.")
    return [*lines, ""]


METRICS = ("mae", "rmse", "r2")


def _scope_table(t: Tracer, scope: str) -> list[str]:
    source = f"reconstruction:{scope}"
    rows = []
    for feature in t.inputs.get(source, "features"):
        cells = [
            t.at(source, space, "per_feature", feature, m, fmt="decimal")
            for space in ("scaled", "physical")
            for m in METRICS
        ]
        rows.append([code(feature), *cells])
    scaled_means = [t.at(source, "scaled", "average", m, fmt="decimal") for m in METRICS]
    physical_r2 = t.at(source, "physical", "average", "r2", fmt="decimal")
    rows.append(["mean", *scaled_means, DASH, DASH, physical_r2])
    header = ["feature", "MAE scaled", "RMSE scaled", "R² scaled"]
    header += ["MAE physical", "RMSE physical", "R² physical"]
    seen = t.num(ref(source, "fraction_rows_seen_in_vae_training"), "percent")
    return [
        f"### Scope {code(scope)}",
        "",
        f"Scope {code(scope)} ({t.inputs.get(source, 'scope_description')}): "
        f"{t.num(ref(source, 'n_rows'), 'count')} rows, {t.inputs.get(source, 'sample')}: "
        f"{seen} of them were VAE training rows. Decoding is deterministic (z = μ).",
        "",
        *table(header, rows),
        compare_sentence(
            t,
            f"The mean scaled R² on {code(scope)}",
            "the investigation's (all rows, in-sample)",
            "",
            ref(source, "scaled", "average", "r2"),
            ref("reference", "reconstruction", "scaled", "average", "r2", "log"),
            DECIMAL_WORDS,
        ),
        "",
    ]


def reconstruction_section(t: Tracer) -> list[str]:
    lines = [f"## {SECTION_RECONSTRUCTION}", ""]
    scopes = _scopes(t)
    if not scopes:
        return [*lines, "No reconstruction report was given.", ""]
    lines += [
        "Errors in **scaled units** (each feature transformed, then z-scored with the VAE's "
        "scaler; comparable across features) and in **physical units** (each feature's own "
        "input units, after the inverse transform). MAE and RMSE in physical units cannot be "
        "averaged across features; R² can.",
        "",
    ]
    for scope in scopes:
        lines += _scope_table(t, scope)
    if len(scopes) > 1:
        a, b = scopes[:2]
        sentence = compare_sentence(
            t,
            f"The mean scaled R² on {code(a)}",
            f"that on {code(b)}",
            "",
            ref(f"reconstruction:{a}", "scaled", "average", "r2"),
            ref(f"reconstruction:{b}", "scaled", "average", "r2"),
            DECIMAL_WORDS,
        )
        lines += [sentence, ""]
    base = ("reconstruction", "scaled")
    features = t.inputs.get("reference", *base, "per_feature", default={})
    rows = [
        [code(f), *(reference_text(t, (*base, "per_feature", f, m), "decimal") for m in METRICS),
         reference_text(t, ("reconstruction", "physical", "per_feature", f, "r2"), "decimal")]
        for f in features
    ]  # fmt: skip
    rows.append(
        ["mean", *(reference_text(t, (*base, "average", m), "decimal") for m in METRICS),
         reference_text(t, ("reconstruction", "physical", "average", "r2"), "decimal")]
    )  # fmt: skip
    return [
        *lines,
        "### The investigation's figures",
        "",
        "Measured on every row, the VAE's own training data (in-sample), in scaled units, "
        "although the investigation's table labels MAE and RMSE in physical units. R² in "
        "physical units was only measured later, for a VAE retrained on a filtered dataset.",
        "",
        *table(["feature", "MAE scaled", "RMSE scaled", "R² scaled", "R² physical (later)"], rows),
    ]


def latent_section(t: Tracer) -> list[str]:
    lines = [f"## {SECTION_LATENT}", ""]
    scopes = _scopes(t)
    if not scopes:
        return [*lines, "No reconstruction report was given.", ""]
    first = f"reconstruction:{scopes[0]}"
    active = "; ".join(
        f"{code(s)}: {t.at(f'reconstruction:{s}', 'latent', 'n_active', fmt='count')} of "
        f"{t.at(f'reconstruction:{s}', 'latent', 'n_dimensions', fmt='count')}"
        for s in scopes
    )
    investigation = (
        f"{reference_text(t, ('reconstruction', 'latent', 'n_active'), 'count')} of "
        f"{reference_text(t, ('reconstruction', 'latent', 'n_dimensions'), 'count')}"
    )
    rows = []
    for i in range(len(t.inputs.get(first, "latent", "dimensions"))):
        row = [t.at(first, "latent", "dimensions", i, "dimension", fmt="count")]
        for scope in scopes:
            base = (f"reconstruction:{scope}", "latent", "dimensions", i)
            flag = t.inputs.get(*base, "active", default=None)
            row += [t.at(*base, "mean", fmt="decimal"), t.at(*base, "std", fmt="decimal"),
                    DASH if flag is None else ("yes" if flag else "no")]  # fmt: skip
        row += [reference_text(t, ("reconstruction", "latent", key, i), "decimal")
                for key in ("mean", "std")]  # fmt: skip
        rows.append(row)
    header = ["dimension"]
    for scope in scopes:
        header += [f"mean {code(scope)}", f"std {code(scope)}", f"active {code(scope)}"]
    header += ["investigation mean", "investigation std"]
    threshold = t.at(first, "latent", "active_std_threshold", fmt="decimal")
    return [
        *lines,
        "Mean and standard deviation of each μ dimension; a dimension is active when its "
        f"standard deviation exceeds {threshold}. Active dimensions: {active}. Investigation "
        f"(all rows): {investigation}.",
        "",
        *table(header, rows),
    ]


def _reference_only_rows(
    t: Tracer,
    shown: Sequence[str],
    base: tuple[str, ...],
    columns: Sequence[tuple[str | None, str]],
    n_dashes: int,
) -> list[list[str]]:
    """Rows for the investigation's groups under `base` that this run lacks: the group, dashes
    for this run's `n_dashes` columns, then the investigation's figures (key, format)."""
    quoted = t.inputs.get("reference", *base, default={})
    return [
        [code(group), *([DASH] * n_dashes),
         *(reference_text(t, (*base, group, *([key] if key else [])), fmt) for key, fmt in columns)]
        for group in quoted
        if group not in shown
    ]  # fmt: skip


def group_errors_section(t: Tracer) -> list[str]:
    lines = [f"## {SECTION_GROUP_ERRORS}", ""]
    scopes = _scopes(t)
    if not scopes:
        return [*lines, "No reconstruction report was given.", ""]
    bands = (f"reconstruction:{scopes[0]}", "groups", "bands")
    summary_band = ("reconstruction", "bands", "summary_poor_above")
    lines += [
        "Mean over features of the per-feature MAE (scaled units) within each group: excellent "
        f"below {t.at(*bands, 'excellent_below', fmt='decimal')}, good below "
        f"{t.at(*bands, 'good_below', fmt='decimal')}, poor otherwise, as the investigation's "
        "script rates it (its Summary describes poor as above "
        f"{reference_text(t, summary_band, 'decimal')}).",
        "",
    ]
    for scope in scopes:
        base = (f"reconstruction:{scope}", "groups", "per_group")
        rows = [
            [code(item["group"]), t.at(*base, i, "n_rows", fmt="count"),
             t.at(*base, i, "mae_scaled", fmt="decimal"), str(item["quality"]),
             reference_text(t, ("reconstruction", "groups", item["group"], "n_rows"), "count"),
             reference_text(t, ("reconstruction", "groups", item["group"], "mae"), "decimal")]
            for i, item in enumerate(t.inputs.get(*base, default=[]))
        ]  # fmt: skip
        rows += _reference_only_rows(
            t, [item["group"] for item in t.inputs.get(*base, default=[])],
            ("reconstruction", "groups"), (("n_rows", "count"), ("mae", "decimal")), 3,
        )  # fmt: skip
        header = ["group", "rows", "MAE scaled", "quality"]
        header += ["investigation rows (all)", "investigation MAE (all)"]
        lines += [f"Scope {code(scope)}:", "", *table(header, rows)]
    return lines


def hierarchy_section(t: Tracer) -> list[str]:
    lines = [f"## {SECTION_HIERARCHY}", ""]
    if not t.inputs.has("hierarchy"):
        return [*lines, "No hierarchy validation was given.", ""]
    h = "hierarchy"
    summary = [
        figure_row(t, "adjusted Rand index", h, ("adjusted_rand_index",), "decimal",
                   ("hierarchy", "adjusted_rand_index")),
        ["verdict", str(t.inputs.get(h, "verdict")), "poor (Summary, unsupported)"],
        figure_row(t, "lithologies", h, ("n_lithologies",), "count",
                   ("hierarchy", "n_lithologies")),
        figure_row(t, "clusters", h, ("n_clusters",), "count", ("hierarchy", "n_clusters")),
    ]  # fmt: skip
    coherence = [
        [code(item["group"]), t.at(h, "coherence", i, "n_labels", fmt="count"),
         t.at(h, "coherence", i, "mean_pairwise_distance", fmt="decimal"), str(item["coherence"]),
         reference_text(t, ("hierarchy", "coherence", item["group"]), "decimal")]
        for i, item in enumerate(t.inputs.get(h, "coherence", default=[]))
    ]  # fmt: skip
    coherence += _reference_only_rows(
        t, [item["group"] for item in t.inputs.get(h, "coherence", default=[])],
        ("hierarchy", "coherence"), ((None, "decimal"),), 3,
    )  # fmt: skip
    excluded = t.inputs.get(h, "excluded_from_coherence", "groups", default=[])
    return [
        *lines,
        f"Each lithology's centroid is the median μ of its rows ({t.at(h, 'n_rows', fmt='count')} "
        f"rows, {t.at(h, 'n_lithologies', fmt='count')} lithologies, "
        f"{t.at(h, 'latent_dimensions', fmt='count')} dimensions); Ward clustering of the "
        f"centroids into {t.at(h, 'n_clusters', fmt='count')} clusters is compared with the "
        f"{t.at(h, 'n_groups', fmt='count')} expert groups.",
        "",
        *table(["", "this run", "investigation"], summary),
        "The adjusted Rand index compares two partitions corrected for chance (zero for random "
        "clusters, one for identical partitions); it is not a share of labels that agree. The "
        "investigation's validation script never ran successfully, so its figures have no log.",
        "",
        "Coherence: the mean pairwise Euclidean distance between a group's lithology centroids; "
        f"tight below {t.at(h, 'coherence_bands', 'tight_below', fmt='decimal')}, moderate below "
        f"{t.at(h, 'coherence_bands', 'moderate_below', fmt='decimal')}, loose otherwise.",
        "",
        *table(["group", "lithologies", "mean distance", "band", "investigation"], coherence),
        f"Groups with a single lithology (no pairwise distance): {names(excluded)}.",
        "",
    ]


def _test_class_limits(t: Tracer, run: str) -> list[str]:
    """What the run's balanced accuracy averages over, and test classes unseen in training."""
    source = f"metrics:{run}"
    recalls = t.inputs.get(source, "per_class_recall", default=[])
    present = [row["class"] for row in recalls]
    lines = []
    if _spec(t, run)["target"] == "group" and recalls:
        weight = t.num(_chance(run), "percent")
        last = len(recalls) - 1
        absent = t.inputs.get(source, "classes_absent_from_test", default=[])
        lines.append(
            f"- {code(run)}: balanced accuracy averages recall over the "
            f"{t.at(source, 'n_test_classes_present', fmt='count')} classes present in its test "
            f"part ({names(present)}), each weighing {weight}; those absent from test "
            f"({names(absent)}) do not count. The smallest, {code(recalls[last]['class'])}, has "
            f"{t.at(source, 'per_class_recall', last, 'support', fmt='count')} test rows and "
            "weighs as much as the largest."
        )
    unseen = [c for c in t.inputs.get(source, "classes_absent_from_train", default=[])
              if c in present]  # fmt: skip
    if unseen:
        lines.append(
            f"- {code(run)} never saw these test classes in training, so their recall is zero by "
            f"construction: {names(unseen)}."
        )
    if t.inputs.get(source, "leakage", "test_boreholes_seen_by_vae", default=0):
        lines.append(
            f"- {code(run)} is transductive: its VAE trained on "
            f"{t.at(source, 'leakage', 'test_boreholes_seen_by_vae', fmt='count')} of its "
            f"{t.at(source, 'leakage', 'test_boreholes', fmt='count')} test boreholes."
        )
    return lines


def limits_section(t: Tracer) -> list[str]:
    lines = [f"## {SECTION_LIMITS}", ""]
    if t.inputs.config["data"]["source"] == "simulate":
        lines.append(
            "- The data are simulated: the run shows what the workflow computes and how, not what "
            "the real LILY data hold."
        )
    for run in _runs(t):
        lines += _test_class_limits(t, run)
    lines.append(
        "- One split per method and one seed (split seed "
        f"{t.num(ref('config', 'splits', 'seed'), 'plain')}, classifier seed "
        f"{t.num(ref('config', 'classifiers', 'defaults', 'seed'), 'plain')}): there are no "
        "confidence intervals, so differences of a few points between runs may be noise."
    )
    for scope in _scopes(t):
        source = f"reconstruction:{scope}"
        lines.append(
            f"- Reconstruction scope {code(scope)} is {t.inputs.get(source, 'sample')}: "
            f"{t.num(ref(source, 'fraction_rows_seen_in_vae_training'), 'percent')} of its rows "
            "were VAE training rows."
        )
    if t.inputs.has("hierarchy", "rows_used"):
        lines.append(
            f"- The hierarchy validation uses {t.inputs.get('hierarchy', 'rows_used')}; each "
            "lithology counts once in the adjusted Rand index, whatever its number of rows."
        )
    lines.append(
        "- The investigation's own comparisons share these limits: one split, one implicit seed, "
        "a VAE and scaler fitted on every row (test boreholes included), and balanced accuracies "
        "over the groups present in its test split only."
    )
    return [*lines, ""]


def figures_section(t: Tracer) -> list[str]:
    lines = [f"## {SECTION_FIGURES}", "", *(f"- [{title}]({path})" for title, path in FIGURES)]
    if t.inputs.config["data"]["source"] == "simulate":
        lines.append("- [realism of the simulated data](../simulation/realism.png)")
    return [*lines, ""]


SECTIONS: tuple[tuple[str, Callable[[Tracer], list[str]]], ...] = (
    (SECTION_FINDINGS, findings_section),
    (SECTION_DATA, data_section),
    (SECTION_IMBALANCE, imbalance_section),
    (SECTION_MISMATCH, mismatch_section),
    (SECTION_CLASSIFIERS, classifiers_section),
    (SECTION_GROUPS, groups_section),
    (SECTION_RECONSTRUCTION, reconstruction_section),
    (SECTION_LATENT, latent_section),
    (SECTION_GROUP_ERRORS, group_errors_section),
    (SECTION_HIERARCHY, hierarchy_section),
    (SECTION_LIMITS, limits_section),
    (SECTION_FIGURES, figures_section),
)
SECTION_TITLES: tuple[str, ...] = tuple(title for title, _ in SECTIONS)
