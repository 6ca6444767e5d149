"""End to end: the whole workflow (rule all) on a tiny simulated dataset, then `snakemake --report`.

The suite's shared complete run (tests/workflow/conftest.py), copied here to build the HTML
report in, and several tests over its outputs: every section of the investigation summary is
there; every number it prints is listed with its source and equals the value recomputed here from
the result files; the headline tables quote the right files; the classifier metrics are internally
consistent and equal scikit-learn's on each run's predictions; the HTML report is built.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sklearn.metrics as skm
import yaml

from lithoflow.report.summary import SECTION_TITLES
from tests.support.report_trace import mismatched_numbers, table_rows, untraced_numbers
from tests.workflow.helpers import REPO_ROOT, run_snakemake
from tests.workflow.runs import copy_run

pytestmark = pytest.mark.workflow

SUMMARY = "results/report/investigation_summary.md"
NUMBERS = "results/report/investigation_summary_numbers.json"
REPORT_HTML = "results/report.html"
REFERENCE = REPO_ROOT / "src" / "lithoflow" / "data" / "investigation_reference.json"


@dataclass(frozen=True)
class Run:
    workdir: Path
    config: dict[str, Any]
    markdown: str
    trace: dict[str, Any]

    def json(self, relative: str) -> Any:
        return json.loads((self.workdir / relative).read_text())


@pytest.fixture(scope="module")
def run(completed_run, tmp_path_factory) -> Run:
    # The report is written into a copy: the shared run stays as the workflow left it.
    workdir = copy_run(completed_run, tmp_path_factory.mktemp("end_to_end") / "run")
    run_snakemake(workdir, extra_args=["--report", REPORT_HTML, "--nocolor"])
    config = yaml.safe_load((workdir / "config.yaml").read_text())
    return Run(
        workdir=workdir,
        config=config,
        markdown=(workdir / SUMMARY).read_text(),
        trace=json.loads((workdir / NUMBERS).read_text()),
    )


def expected_sources(config: dict[str, Any]) -> dict[str, str]:
    """Source name -> the result file it must be (the summary's contract, written out here)."""
    sources = {
        "reference": str(REFERENCE),
        "ingest": "results/data/ingest_report.json",
        "lithology_distribution": "results/analysis/lithology_distribution.json",
        "group_distribution": "results/analysis/group_distribution.json",
        "mismatch": "results/analysis/split_mismatch.json",
        "hierarchy": "results/validation/hierarchy_ari.json",
        "realism": "results/simulation/realism.json",
        "vae_comparison": "results/validation/vae_comparison.csv",
    }
    if config["hierarchy"]["data_driven"]["enabled"]:
        sources["data_driven"] = "results/hierarchy/data_driven_summary.json"
    for method in config["splits"]["methods"]:
        sources[f"split:{method}"] = f"results/splits/{method}/split_report.json"
    for run in config["classifiers"]["runs"]:
        sources[f"metrics:{run}"] = f"results/models/classifiers/{run}/metrics.json"
        sources[f"classifier:{run}"] = f"results/models/classifiers/{run}/config.json"
    for name in config["vae"]["models"]:
        sources[f"vae:{name}"] = f"results/models/vae/{name}/config.json"
        sources[f"history:{name}"] = f"results/models/vae/{name}/history.csv"
    for scope in config["validation"]["reconstruction_scopes"]:
        sources[f"reconstruction:{scope}"] = f"results/validation/reconstruction_{scope}.json"
    return sources


def load_documents(run: Run) -> dict[str, Any]:
    """Every source, read here from the files (not through lithoflow.report)."""
    documents: dict[str, Any] = {"config": run.config}
    for name, relative in expected_sources(run.config).items():
        path = run.workdir / relative
        if relative.endswith(".csv"):
            documents[name] = pd.read_csv(path).to_dict(orient="records")
        else:
            documents[name] = json.loads(path.read_text())
    return documents


def pct(value: float) -> str:
    return f"{value * 100:.2f}%"


def test_every_section_is_present(run):
    assert run.markdown.startswith("# ")
    for title in SECTION_TITLES:
        assert f"\n## {title}\n" in run.markdown, title


def test_summary_quotes_exactly_the_result_files(run):
    assert run.trace["sources"] == expected_sources(run.config)


def test_every_number_is_traced_and_equals_its_source(run):
    numbers = run.trace["numbers"]
    assert len(numbers) > 300
    assert untraced_numbers(run.markdown, numbers) == []
    assert mismatched_numbers(run.markdown, numbers, load_documents(run)) == []


def test_headline_tables_quote_the_right_files(run):
    runs = list(run.config["classifiers"]["runs"])
    rows = {row[0]: row for row in table_rows(run.markdown, "| run | accuracy |")}
    assert list(rows) == [f"`{r}`" for r in runs]
    for name in runs:
        metrics = run.json(f"results/models/classifiers/{name}/metrics.json")
        row = rows[f"`{name}`"]
        assert row[1] == pct(metrics["accuracy"])
        assert row[3] == pct(metrics["balanced_accuracy"])
        assert row[6] == f"{metrics['n_test_classes_present']} of {metrics['n_classes']}"

    ingest = run.json("results/data/ingest_report.json")
    dataset = {row[0]: row[1] for row in table_rows(run.markdown, "| dataset | this run |")}
    assert dataset["rows (bins)"] == f"{ingest['final']['rows']:,}"
    assert dataset["labels"] == f"{ingest['final']['labels']:,}"

    hierarchy = run.json("results/validation/hierarchy_ari.json")
    rows = {row[0]: row for row in table_rows(run.markdown, "|  | this run | investigation |")}
    assert rows["adjusted Rand index"][1] == f"{hierarchy['adjusted_rand_index']:.4f}"
    assert rows["adjusted Rand index"][2] == "0.1164 (Summary, unsupported)"

    for scope in run.config["validation"]["reconstruction_scopes"]:
        report = run.json(f"results/validation/reconstruction_{scope}.json")
        section = run.markdown.split(f"### Scope `{scope}`", 1)[1]
        mean = next(row for row in table_rows(section, "| feature |") if row[0] == "mean")
        assert mean[3] == f"{report['scaled']['average']['r2']:.4f}"
        assert mean[6] == f"{report['physical']['average']['r2']:.4f}"
        assert report["sample"] in section.split("\n\n", 2)[1]


def test_direction_sentences_follow_the_numbers(run):
    direct = run.json("results/models/classifiers/direct/metrics.json")["balanced_accuracy"]
    v1_1 = run.json("results/models/classifiers/v1_1/metrics.json")["balanced_accuracy"]
    line = next(s for s in run.markdown.splitlines() if s.startswith("- The direct classifier"))
    intervals = [
        run.json(f"results/models/classifiers/{r}/metrics.json")["intervals"]["balanced_accuracy"]
        for r in ("direct", "v1_1")
    ]
    # One beats the other only when their intervals over the replicates do not overlap.
    low, high = (
        (intervals[0]["low"], intervals[0]["high"]),
        (intervals[1]["low"], intervals[1]["high"]),
    )
    if low[0] > high[1] or low[1] < high[0]:
        assert (" beats " if direct > v1_1 else " trails ") in line
        assert f"{abs(direct - v1_1) * 100:.2f} percentage points" in line
    else:
        assert "no distinguishable difference on balanced accuracy" in line
    assert f"({pct(direct)} vs {pct(v1_1)}; " in line
    for interval in intervals:
        assert f"[{pct(interval['low'])}, {pct(interval['high'])}]" in line


def test_summary_states_data_source_and_protocol(run):
    assert "simulator at scale `tiny`, seed 42" in run.markdown
    realism = run.json("results/simulation/realism.json")["summary"]
    assert (
        f"{realism['meaningful_passed']} of {realism['meaningful_checks']} checks that mean "
        "something at this scale passed"
    ) in run.markdown
    vae = {row[0]: row[1] for row in table_rows(run.markdown, "| VAE |")}
    assert vae["trained on"] == "`train`"
    assert vae["scaler fitted on"] == "`train`"
    assert vae["epochs"] == "4"
    protocol = table_rows(run.markdown, "| run | input | target |")
    assert [row[0] for row in protocol] == [f"`{r}`" for r in run.config["classifiers"]["runs"]]


def test_classifier_metrics_are_sane(run):
    for name, spec in run.config["classifiers"]["runs"].items():
        metrics = run.json(f"results/models/classifiers/{name}/metrics.json")
        units = metrics["units"]
        assert len(units) == metrics["n_units"] >= 1
        for key in ("accuracy", "balanced_accuracy", "macro_f1"):
            assert 0.0 <= metrics[key] <= 1.0
            # The run's score is the mean over its units, inside its interval.
            assert metrics[key] == pytest.approx(sum(u[key] for u in units) / len(units))
            interval = metrics["intervals"][key]
            assert interval["n"] == len(units)
            if len(units) > 1:
                assert interval["low"] <= metrics[key] <= interval["high"]
        # per_class_recall and confusion.csv describe replicate 0's test rows (every fold's).
        recalls = metrics["per_class_recall"]
        assert len(recalls) == metrics["n_test_classes_present"] <= metrics["n_classes"]
        assert all(0.0 <= r["recall"] <= 1.0 for r in recalls)
        present = {r["class"] for r in recalls}
        assert present <= set(metrics["classes"])
        if metrics["evaluation"] == "split":
            first = units[0]
            assert sum(r["support"] for r in recalls) == metrics["rows"]["test"]
            assert first["balanced_accuracy"] == pytest.approx(
                sum(r["recall"] for r in recalls) / len(recalls)
            )
            correct = sum(r["recall"] * r["support"] for r in recalls)
            assert first["accuracy"] == pytest.approx(correct / metrics["rows"]["test"])
            assert present | set(metrics["classes_absent_from_test"]) == set(metrics["classes"])
        assert 1 <= metrics["best_epoch"] <= metrics["stop_epoch"]
        assert metrics["stop_epoch"] <= run.config["classifiers"]["defaults"]["max_epochs"]
        assert metrics["spec"]["target"] == spec["target"]
        if spec["class_weighting"] == "none":
            assert metrics["class_weight_ratio"] == 1.0


def _sklearn_scores(true, predicted) -> dict[str, float]:
    with warnings.catch_warnings():  # classes only predicted are ignored, as documented
        warnings.simplefilter("ignore", UserWarning)
        balanced = skm.balanced_accuracy_score(true, predicted)
    return {
        "accuracy": skm.accuracy_score(true, predicted),
        "balanced_accuracy": balanced,
        "macro_f1": skm.f1_score(true, predicted, average="macro", zero_division=0),
    }


def test_classifier_metrics_equal_scikit_learn_on_the_predictions(run):
    """metrics.json and confusion.csv recomputed with scikit-learn from predictions.parquet's test
    rows, unit by unit, so a wrong metric cannot pass by agreeing with itself."""
    for name in run.config["classifiers"]["runs"]:
        folder = run.workdir / f"results/models/classifiers/{name}"
        metrics = run.json(f"results/models/classifiers/{name}/metrics.json")
        predictions = pd.read_parquet(folder / "predictions.parquet")
        kfold = metrics["evaluation"] == "group_kfold"
        assert set(predictions["part"]) == ({"test"} if kfold else {"train", "val", "test"}), name
        test = predictions[predictions["part"] == "test"]
        for unit in metrics["units"]:
            fold = -1 if unit["fold"] is None else unit["fold"]
            rows = test[(test["replicate"] == unit["replicate"]) & (test["fold"] == fold)]
            assert len(rows) == unit["rows"]["test"], name
            expected = _sklearn_scores(rows["true"].to_numpy(), rows["predicted"].to_numpy())
            for key, value in expected.items():
                assert unit[key] == pytest.approx(value), (name, unit["unit"], key)

        first = test[test["replicate"] == 0]
        true, predicted = first["true"].to_numpy(), first["predicted"].to_numpy()
        present = sorted(set(true))
        recalls = skm.recall_score(true, predicted, labels=present, average=None)
        assert {r["class"]: r["recall"] for r in metrics["per_class_recall"]} == pytest.approx(
            dict(zip(present, recalls, strict=True))
        ), name
        classes = metrics["classes"]
        expected = skm.confusion_matrix(true, predicted, labels=classes)
        written = pd.read_csv(folder / "confusion.csv")
        assert list(written.columns) == ["true", "predicted", "count"], name
        matrix = (
            written.pivot(index="true", columns="predicted", values="count")
            .reindex(index=classes, columns=classes)
            .fillna(0)
            .astype(int)
            .to_numpy()
        )
        assert (matrix == expected).all(), name
        assert (written["count"] > 0).all(), name  # non-zero cells only


def test_html_report_holds_the_summary_and_figures(run):
    html = (run.workdir / REPORT_HTML).read_text()
    assert len(html) > 10_000
    for name in (
        "investigation_summary.md",
        "vae_reconstruction_validation.png",
        "hierarchy_dendrogram.png",
        "split_mismatch.png",
        "metrics.json",
    ):
        assert name in html, name
    for category in ("Summary", "Class imbalance", "Split mismatch", "Classifiers"):
        assert f'"{category}"' in html, category


def test_nothing_left_to_do(run):
    result = run_snakemake(run.workdir, extra_args=["--dry-run", "--nocolor"])
    assert "Nothing to be done" in result.stdout + result.stderr


def test_vae_comparison_has_a_row_per_vae_with_its_classifier(run):
    table = pd.read_csv(
        run.workdir / "results/validation/vae_comparison.csv",
        keep_default_na=False,
        na_values=[""],
    )
    models = run.config["vae"]["models"]
    assert list(table["vae"]) == list(models)
    assert list(table.columns[:6]) == ["vae", "kind", "latent_dim", "beta_end", "tc_weight",
                                       "aux_target"]  # fmt: skip
    for row in table.itertuples():
        spec = models[row.vae]
        assert row.kind == spec.get("kind", "vae") and row.latent_dim == spec["latent_dim"]
        assert row.beta_end == spec["beta_end"]
        split = pd.read_parquet(run.workdir / f"results/models/vae/{row.vae}/embeddings.parquet")
        assert row.n_test_rows == (split["split"] == "test").sum()
        assert row.recon_r2_physical_test <= 1 and -1 <= row.ari_expert_groups <= 1
        assert 0 <= row.active_latent_dims_test <= row.latent_dim
        metrics = run.json(f"results/models/classifiers/{row.classifier_run}/metrics.json")
        assert metrics["spec"]["vae"] == row.vae and metrics["spec"]["target"] == "group"
        interval = metrics["intervals"]["balanced_accuracy"]
        assert row.balanced_accuracy_mean == pytest.approx(metrics["balanced_accuracy"])
        assert (row.balanced_accuracy_low, row.balanced_accuracy_high) == pytest.approx(
            (interval["low"], interval["high"])
        )
    assert set(table.loc[table["kind"] == "beta_tcvae", "tc_weight"]) == {6.0}
    assert set(table.loc[table["kind"] == "semi_supervised", "aux_target"]) == {"group"}
    assert (run.workdir / "results/figures/vae_comparison.png").stat().st_size > 0
    assert "VAE comparison" in (run.workdir / REPORT_HTML).read_text(errors="ignore")
