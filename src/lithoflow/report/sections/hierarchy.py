"""Problem 3: expert groups against Ward clusters of the lithology centroids."""

from __future__ import annotations

from lithoflow.report.plan import SummaryPlan
from lithoflow.report.sections.common import reference_only_rows
from lithoflow.report.tracing import Tracer
from lithoflow.report.wording import code, figure_row, names, reference_text, table

TITLE = "Problem 3: hierarchy validation"


def section(t: Tracer, plan: SummaryPlan) -> list[str]:
    lines = [f"## {TITLE}", ""]
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
    coherence += reference_only_rows(
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
