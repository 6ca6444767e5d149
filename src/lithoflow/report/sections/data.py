"""Data and protocol: data source, ingestion steps, the VAEs, the borehole splits and the
classifier runs."""

from __future__ import annotations

from lithoflow.report.plan import SummaryPlan
from lithoflow.report.sections.common import PARTS, runs_with_metrics, spec
from lithoflow.report.tracing import DASH, Tracer, ref
from lithoflow.report.wording import code, figure_row, names, reference_text, table

TITLE = "Data and protocol"


def _las_lines(t: Tracer, las: dict) -> list[str]:
    """The LAS source: files read, and per well which curve gave each feature."""
    wells = t.inputs.get("ingest", "tables", "las", "wells", default=[])
    lines = [
        f"**Data source:** LAS well logs, {code(las['path'])}: {len(wells)} wells, label curve "
        f"{code(las['label_curve'])}. These are not LILY data: the investigation's LILY figures "
        "are not applicable to them and are not shown.",
        "",
    ]
    if not wells:
        return lines
    features = list(las["curves"])
    rows = []
    for i, well in enumerate(wells):
        found = well.get("curves", {})
        rows.append(
            [
                code(well.get("borehole_id", "?")),
                t.at("ingest", "tables", "las", "wells", i, "rows", fmt="count"),
                t.at("ingest", "tables", "las", "wells", i, "bins", fmt="count"),
                *(code(found[f]) if found.get(f) else DASH for f in features),
            ]
        )
    return [*lines, *table(["well", "rows", "bins", *features], rows)]


def _source_lines(t: Tracer) -> list[str]:
    data = t.inputs.config["data"]
    if data["source"] == "lily":
        return [f"**Data source:** real LILY tables read from {code(data['lily_dir'])}.", ""]
    if data["source"] == "table":
        return [f"**Data source:** one tidy table, {code(data['table']['path'])}.", ""]
    if data["source"] == "las":
        return _las_lines(t, data["las"])
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
    runs = runs_with_metrics(t)
    if not runs:
        return ["No classifier was given.", ""]
    rows = []
    for run in runs:
        run_spec, source = spec(t, run), f"metrics:{run}"
        if run_spec["input"] == "embedding":
            inputs, scaler, leakage = f"μ of {code(run_spec.get('vae'))}", "none (μ as is)", DASH
            if t.inputs.get(source, "leakage", default=None):
                seen = t.at(source, "leakage", "test_boreholes_seen_by_vae", fmt="count")
                leakage = f"{seen} of {t.at(source, 'leakage', 'test_boreholes', fmt='count')}"
        else:
            inputs, scaler = "raw features", code(run_spec.get("scaler_fit"))
            leakage = "none (no VAE)"
        settings = (run_spec[k] for k in ("target", "split", "class_weighting", "selection_metric"))
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


def section(t: Tracer, plan: SummaryPlan) -> list[str]:
    return [
        f"## {TITLE}",
        "",
        *_source_lines(t),
        *_ingest_lines(t),
        *_vae_lines(t),
        *_split_lines(t),
        *_classifier_protocol_lines(t),
    ]
