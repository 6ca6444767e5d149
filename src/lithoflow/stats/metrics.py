"""Classification metrics with scikit-learn's semantics, on integer class indices.

- accuracy: share of rows predicted right;
- balanced accuracy: unweighted mean recall over the classes PRESENT IN y_true (a class that is only
  predicted is ignored, as `sklearn.metrics.balanced_accuracy_score` does; docs/investigation.md
  §7);
- macro F1: unweighted mean F1 over the classes present in y_true or y_pred (sklearn's
  `f1_score(average="macro")`, zero_division=0);
- per-class recall with support; confusion matrix (rows true, columns predicted);
- penalty score: -mean over rows of a cost matrix's P[true, predicted] (0 = perfect), the FORCE 2020
  lithology competition's score when given its matrix.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lithoflow.core.errors import InputDataError, format_list


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts[i, j] = rows of true class i predicted as class j (int64, n_classes × n_classes)."""
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true {y_true.shape} and y_pred {y_pred.shape} differ in shape")
    flat = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes)


def confusion_matrices_by_group(
    group: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, n_groups: int, n_classes: int
) -> np.ndarray:
    """One confusion matrix per group (e.g. per borehole): counts[g, i, j] = rows of group g,
    true class i, predicted j (int64, n_groups × n_classes × n_classes); they sum to the
    confusion matrix of all rows."""
    totals = np.zeros((n_groups, n_classes, n_classes), dtype=np.int64)
    np.add.at(totals, (np.asarray(group), np.asarray(y_true), np.asarray(y_pred)), 1)
    return totals


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Share of rows predicted right (nan for no rows)."""
    y_true = np.asarray(y_true)
    if y_true.size == 0:
        return float("nan")
    return float(np.mean(y_true == np.asarray(y_pred)))


def _recalls(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    support = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = np.where(support > 0, np.diag(counts) / support, np.nan)
    return recall, support


def balanced_accuracy(
    y_true: np.ndarray, y_pred: np.ndarray, n_classes: int | None = None
) -> float:
    """Mean recall over the classes present in y_true (nan for no rows)."""
    n = n_classes if n_classes is not None else _n_classes(y_true, y_pred)
    return balanced_accuracy_of_counts(confusion_matrix(y_true, y_pred, n))


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int | None = None) -> float:
    """Mean F1 over the classes present in y_true or y_pred; F1 = 2·TP / (2·TP + FP + FN)."""
    n = n_classes if n_classes is not None else _n_classes(y_true, y_pred)
    return macro_f1_of_counts(confusion_matrix(y_true, y_pred, n))


# The same scores from a confusion matrix (rows true, columns predicted): what a sum of
# per-borehole matrices gives without concatenating rows (the borehole bootstrap).


def accuracy_of_counts(counts: np.ndarray) -> float:
    """Share of the counted rows on the diagonal (nan for no rows)."""
    total = counts.sum()
    return float(np.trace(counts) / total) if total else float("nan")


def balanced_accuracy_of_counts(counts: np.ndarray) -> float:
    """Mean recall over the classes with true rows (nan for no rows)."""
    recall, support = _recalls(counts)
    present = support > 0
    return float(recall[present].mean()) if present.any() else float("nan")


def macro_f1_of_counts(counts: np.ndarray) -> float:
    """Mean F1 over the classes with true or predicted rows (nan for no rows)."""
    tp = np.diag(counts).astype(np.float64)
    fp = counts.sum(axis=0) - tp
    fn = counts.sum(axis=1) - tp
    present = (counts.sum(axis=0) + counts.sum(axis=1)) > 0
    if not present.any():
        return float("nan")
    return float(np.mean(2 * tp[present] / (2 * tp[present] + fp[present] + fn[present])))


def per_class_recall(
    y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[str]
) -> pd.DataFrame:
    """One row per class: class, support (true rows), predicted (rows predicted as it), correct,
    recall (nan without support)."""
    counts = confusion_matrix(y_true, y_pred, len(classes))
    recall, support = _recalls(counts)
    return pd.DataFrame(
        {
            "class": list(classes),
            "support": support.astype(np.int64),
            "predicted": counts.sum(axis=0).astype(np.int64),
            "correct": np.diag(counts).astype(np.int64),
            "recall": recall,
        }
    )


def confusion_long(y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[str]) -> pd.DataFrame:
    """The confusion matrix in long form: columns true, predicted, count (non-zero cells only,
    sorted by true then predicted class index)."""
    counts = confusion_matrix(y_true, y_pred, len(classes))
    rows, cols = np.nonzero(counts)
    names = np.asarray(list(classes), dtype=object)
    return pd.DataFrame(
        {
            "true": names[rows],
            "predicted": names[cols],
            "count": counts[rows, cols].astype(np.int64),
        }
    )


def classification_summary(
    y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[str]
) -> dict[str, Any]:
    """accuracy, balanced_accuracy, macro_f1, classes present and per-class recall, JSON-ready."""
    n = len(classes)
    table = per_class_recall(y_true, y_pred, classes)
    present = table.loc[table["support"] > 0]
    return {
        "n_rows": int(np.asarray(y_true).size),
        "accuracy": accuracy(y_true, y_pred),
        "balanced_accuracy": balanced_accuracy(y_true, y_pred, n),
        "macro_f1": macro_f1(y_true, y_pred, n),
        "n_classes_present": len(present),
        "per_class_recall": [
            {
                "class": row["class"],
                "support": int(row["support"]),
                "predicted": int(row["predicted"]),
                "recall": float(row["recall"]),
            }
            for _, row in present.sort_values(
                ["support", "class"], ascending=[False, True]
            ).iterrows()
        ],
    }


def _n_classes(y_true: np.ndarray, y_pred: np.ndarray) -> int:
    values = [np.max(a) for a in (np.asarray(y_true), np.asarray(y_pred)) if np.asarray(a).size]
    return int(max(values)) + 1 if values else 0


# --------------------------------------------------------------------------------------------
# Penalty-matrix score (e.g. the FORCE 2020 lithology competition's)


def read_penalty_matrix(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A square cost matrix from CSV: first column true class, header predicted class, float costs.

    Raises InputDataError naming the file if it is not square, its row and column names differ,
    or a cost is missing, non-numeric or negative.
    """
    path = str(path)
    if not Path(path).is_file():
        raise InputDataError("penalty matrix not found (classifiers.penalty_matrix)", path=path)
    table = pd.read_csv(path, index_col=0, dtype=str)
    table.index = table.index.astype(str).str.strip()
    table.columns = table.columns.astype(str).str.strip()
    if list(table.index) != list(table.columns):
        raise InputDataError(
            "the penalty matrix must list the same classes, in the same order, as rows (true) and "
            f"columns (predicted); rows {format_list(table.index)}, columns "
            f"{format_list(table.columns)}",
            path=path,
        )
    costs = table.apply(pd.to_numeric, errors="coerce")
    bad = costs.isna() | (costs < 0)
    if bad.any().any():
        row, column = next(zip(*np.nonzero(bad.to_numpy()), strict=True))
        raise InputDataError(
            f"costs must be non-negative numbers; row {table.index[row]!r}, column "
            f"{table.columns[column]!r} holds {table.iat[row, column]!r}",
            path=path,
            column=str(table.columns[column]),
        )
    return costs.astype(np.float64)


def penalty_score(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    classes: Sequence[str],
    penalty: pd.DataFrame,
    path: str = "",
) -> float:
    """-mean over rows of penalty[true class, predicted class] (0 = perfect; nan for no rows).

    `classes` names the class indices of y_true / y_pred; every one must be in the matrix.
    """
    costs = penalty_costs(classes, penalty, path)
    y_true = np.asarray(y_true, dtype=np.int64)
    if y_true.size == 0:
        return float("nan")
    return float(-np.mean(costs[y_true, np.asarray(y_pred, dtype=np.int64)]))


def penalty_costs(classes: Sequence[str], penalty: pd.DataFrame, path: str = "") -> np.ndarray:
    """The penalty matrix's costs ordered by class index; every class must be in the matrix."""
    missing = [c for c in classes if c not in penalty.index]
    if missing:
        raise InputDataError(
            f"class(es) {format_list(missing)} are not in the penalty matrix "
            f"(it has {format_list(penalty.index, 20)})",
            path=path or None,
        )
    return penalty.loc[list(classes), list(classes)].to_numpy(dtype=np.float64)


def penalty_score_of_counts(counts: np.ndarray, costs: np.ndarray) -> float:
    """-mean cost of the counted rows (nan for no rows); `costs` from `penalty_costs`."""
    total = counts.sum()
    return float(-(counts * costs).sum() / total) if total else float("nan")


def scores_of_counts(counts: np.ndarray, costs: np.ndarray | None = None) -> dict[str, float]:
    """Accuracy, balanced accuracy and macro-F1 of a confusion matrix, and the penalty score
    where a cost matrix is given."""
    values = {
        "accuracy": accuracy_of_counts(counts),
        "balanced_accuracy": balanced_accuracy_of_counts(counts),
        "macro_f1": macro_f1_of_counts(counts),
    }
    if costs is not None:
        values["penalty_score"] = penalty_score_of_counts(counts, costs)
    return values
