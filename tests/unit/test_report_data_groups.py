"""The summary section "Expert vs data-driven groups" on hand-made metrics: chance levels, the
interval comparison's wording, the rows a data-group run leaves out, and what it says when a
piece is missing."""

from __future__ import annotations

import copy

import pytest

from lithoflow.report.plan import plan_from_config
from lithoflow.report.sections import data_groups
from lithoflow.report.summary import SECTION_TITLES
from lithoflow.report.tracing import ReportInputs, Tracer
from tests.support.config import check_config, load_default_config
from tests.support.report_trace import mismatched_numbers, table_rows, untraced_numbers
from tests.unit.test_report import metrics_document, spec

EXPERT, DATA = "boosting", "boosting_data_group"


def interval(mean, low, high):
    return {"mean": mean, "std": 0.01, "low": low, "high": high, "n": 3, "method": "t",
            "confidence": 0.95}  # fmt: skip


def documents(expert_band, data_band):
    """Config, data-driven summary and the two runs' metrics. The expert run: 3 groups in test
    (supports 4, 2, 2); the data-group run: 2 groups (supports 6, 2), 3 rows of an unplaced
    label."""
    config = load_default_config()
    assert config["report"]["hierarchy_comparisons"] == [[EXPERT, DATA]]
    expert = metrics_document(
        EXPERT, spec("group", "raw"), [0, 0, 0, 0, 1, 1, 2, 2], [0, 0, 0, 1, 1, 1, 2, 0],
        ("Clay/Mud", "Carbonate", "Sand"),
    )  # fmt: skip
    data = metrics_document(
        DATA, spec("data_group", "raw"), [0] * 6 + [1, 1], [0] * 5 + [1, 1, 1], ("D1", "D2", "D3")
    )
    for document, band in ((expert, expert_band), (data, data_band)):
        document["model"] = "gradient_boosting"
        document["intervals"] = {
            "balanced_accuracy": interval(document["balanced_accuracy"], *band),
            "accuracy": interval(document["accuracy"], *band),
        }
    data["data_use"] = {
        "rows_without_data_group": {
            "group": "Unseen in training", "labels": ["granofels"], "rows": 3,
            "rows_by_part": {"test": 2, "train": 0, "val": 1},
        }
    }  # fmt: skip
    summary = {
        "rows_used": "train part of split size_balanced",
        "agreement_with_expert": {
            "ari_rows": 0.4123, "ari_labels": 0.2501,
            "expert": {"n_groups": 9, "chance_level": 1 / 9},
            "data_driven": {"n_groups": 5, "chance_level": 0.2},
        },
    }  # fmt: skip
    return {"config": config, "data_driven": summary, f"metrics:{EXPERT}": expert,
            f"metrics:{DATA}": data}  # fmt: skip


def render(docs):
    t = Tracer(ReportInputs(documents=docs))
    lines = data_groups.section(t, plan_from_config(docs["config"]))
    markdown, numbers = t.render("\n".join(lines))
    assert untraced_numbers(markdown, numbers) == []
    assert mismatched_numbers(markdown, numbers, docs) == []
    return markdown


def test_the_section_is_registered():
    assert data_groups.TITLE in SECTION_TITLES


def test_overlapping_intervals_and_chance_levels():
    markdown = render(documents((0.60, 0.90), (0.70, 0.95)))
    assert "5 groups; the expert mapping has 9" in markdown
    assert "0.4123 over rows" in markdown and "0.2501 over labels" in markdown
    rows = {row[0]: row for row in table_rows(markdown, "| run | mapping")}
    expert, data = rows[f"`{EXPERT}`"], rows[f"`{DATA}`"]
    # groups, groups in test, chance = 1 / groups in test, largest test group's share
    assert expert[1:5] == ["expert", "3", "3", "33.33%"] and expert[7] == "50.00%"
    assert data[1:5] == ["data-driven", "3", "2", "50.00%"] and data[7] == "75.00%"
    # balanced accuracy: expert (3/4 + 1 + 1/2) / 3 = 75 %, data (5/6 + 1) / 2 = 91.67 %
    assert data[5] == "91.67% [70.00%, 95.00%]" and data[6] == "+41.67"
    assert expert[5] == "75.00% [60.00%, 90.00%]" and expert[6] == "+41.67"
    assert "no distinguishable difference on balanced accuracy" in markdown
    assert "3 rows of `boosting_data_group` (2 of them test rows)" in markdown
    assert "`granofels`. They stay, as the class `Unseen in training`" in markdown
    assert "Fewer, coarser groups are easier to predict" in markdown


def test_separate_intervals_say_which_is_higher():
    markdown = render(documents((0.70, 0.80), (0.85, 0.95)))
    assert f"`{DATA}` beats `{EXPERT}` on balanced accuracy by 16.67 percentage points" in markdown
    assert "no distinguishable difference" not in markdown


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d.pop("data_driven"), "No data-driven hierarchy was built"),
        (
            lambda d: d["config"]["report"].update(hierarchy_comparisons=[]),
            "No classifier pair is configured (report.hierarchy_comparisons).",
        ),
        (lambda d: d.pop(f"metrics:{DATA}"), "The configured pairs' results were not given."),
    ],
)
def test_missing_pieces_are_stated(edit, expected):
    docs = documents((0.6, 0.9), (0.7, 0.95))
    edit(docs)
    assert expected in render(docs)


def test_default_config_pairs_are_valid():
    config = copy.deepcopy(load_default_config())
    check_config(config)
    assert plan_from_config(config).hierarchy_comparisons == ((EXPERT, DATA),)
