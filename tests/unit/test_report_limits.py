"""The summary's sentence on what its intervals measure follows the runs' evaluation."""

from lithoflow.report.sections.limits import _uncertainty_line
from lithoflow.report.tracing import ReportInputs, Tracer


def line(runs: dict[str, dict]) -> str:
    config = {
        "splits": {"seed": 42},
        "classifiers": {"defaults": {"seed": 7}, "runs": {r: {} for r in runs}},
    }
    t = Tracer(ReportInputs({"config": config, **{f"metrics:{r}": m for r, m in runs.items()}}))
    return t.render(_uncertainty_line(t))[0]


def test_single_seed_runs_have_no_interval():
    text = line({"a": {"spec": {"evaluation": "split"}, "n_units": 1}})
    assert "split seed 42, classifier seed 7" in text and "no confidence intervals" in text


def test_replicates_folds_and_bootstrap_are_told_apart():
    text = line(
        {
            "rep": {"spec": {"evaluation": "split"}, "n_units": 3, "bootstrap": {}},
            "cv": {"spec": {"evaluation": "group_kfold"}, "n_units": 5},
            "one": {"spec": {"evaluation": "split"}, "n_units": 1},
        }
    )
    assert text.startswith("- One split per method (split seed 42): ")
    assert "the intervals of `rep` come from replicates" in text
    assert "the borehole bootstrap in their `metrics.json` resamples the test boreholes" in text
    assert "`cv` is cross-validated over folds of whole boreholes" in text
    assert "`one` has no interval" in text
    assert "no confidence intervals" not in text


def test_bootstrap_of_some_replicated_runs_is_named():
    text = line(
        {
            "a": {"spec": {"evaluation": "split"}, "n_units": 3, "bootstrap": {}},
            "b": {"spec": {"evaluation": "split"}, "n_units": 3},
        }
    )
    assert "the borehole bootstrap in the `metrics.json` of `a` resamples" in text
