"""Shannon entropy and Jensen-Shannon divergence of class distributions.

Distributions are built from counts aligned on a shared vocabulary, so a class absent from one
sample counts as a zero there rather than being dropped. Zero-probability terms contribute nothing
(0 log 0 = 0).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

CountsLike = Mapping[str, float] | pd.Series


def counts_vector(counts: CountsLike, vocabulary: Sequence[str]) -> np.ndarray:
    """Counts of `vocabulary`, in its order, as float64 (classes not in `counts` are 0).

    Raises ValueError if `counts` holds a class outside `vocabulary` (it would be lost silently).
    """
    series = pd.Series(counts, dtype="float64") if not isinstance(counts, pd.Series) else counts
    outside = sorted(set(series.index) - set(vocabulary))
    if outside:
        raise ValueError(f"classes outside the vocabulary: {outside[:10]}")
    vector = series.reindex(list(vocabulary), fill_value=0).to_numpy(dtype="float64")
    _check_counts(vector)
    return vector


def shared_vocabulary(*counts: CountsLike) -> list[str]:
    """The sorted union of the classes of several count tables."""
    names: set[str] = set()
    for table in counts:
        names.update(str(k) for k in table.keys())
    return sorted(names)


def aligned_distributions(*counts: CountsLike) -> tuple[list[str], np.ndarray]:
    """Shared sorted vocabulary and one probability row per count table (zeros where absent).

    A table with no counts gives a row of NaN.
    """
    vocabulary = shared_vocabulary(*counts)
    matrix = (
        np.vstack([counts_vector(c, vocabulary) for c in counts]) if counts else np.empty((0, 0))
    )
    return vocabulary, normalise_rows(matrix)


def normalise_rows(counts: np.ndarray) -> np.ndarray:
    """Each row divided by its sum (rows summing to 0 become NaN)."""
    counts = np.asarray(counts, dtype="float64")
    totals = counts.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, counts / np.where(totals > 0, totals, 1.0), np.nan)


def _check_counts(counts: np.ndarray) -> None:
    if np.any(counts < 0):
        raise ValueError("counts must be non-negative")


def shannon_entropy(counts: Iterable[float] | np.ndarray, base: float = 2.0) -> float:
    """Shannon entropy of the distribution given by `counts` (any scale), in log-`base` units.

    Returns NaN for an empty distribution (all counts zero).
    """
    values = np.asarray(list(counts) if not isinstance(counts, np.ndarray) else counts, "float64")
    _check_counts(values)
    total = values.sum()
    if total <= 0:
        return math.nan
    p = values[values > 0] / total
    return float(-(p * np.log(p)).sum() / math.log(base))


def entropy_bits(counts: Iterable[float] | np.ndarray) -> float:
    """Shannon entropy in bits (log2)."""
    return shannon_entropy(counts, base=2.0)


def entropy_nats(counts: Iterable[float] | np.ndarray) -> float:
    """Shannon entropy in nats (ln), the unit of the investigation's CV scripts."""
    return shannon_entropy(counts, base=math.e)


def jsd_bits_rows(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Jensen-Shannon divergence in bits between probability vector(s) `p` and rows of `q`.

    `p` has shape (K,) or (M, K), `q` has shape (K,) or (M, K); both rows must sum to 1 (NaN rows
    give NaN). The result lies in [0, 1].
    """
    p = np.asarray(p, dtype="float64")
    q = np.asarray(q, dtype="float64")
    m = 0.5 * (p + q)
    with np.errstate(divide="ignore", invalid="ignore"):
        term_p = np.where(p > 0, p * np.log2(p / np.where(m > 0, m, 1.0)), 0.0)
        term_q = np.where(q > 0, q * np.log2(q / np.where(m > 0, m, 1.0)), 0.0)
    value = 0.5 * (term_p.sum(axis=-1) + term_q.sum(axis=-1))
    nan_rows = np.isnan(p).any(axis=-1) | np.isnan(q).any(axis=-1)
    value = np.where(nan_rows, np.nan, np.clip(value, 0.0, 1.0))
    return value


def jensen_shannon_bits(counts_a: CountsLike, counts_b: CountsLike) -> float:
    """Jensen-Shannon divergence in bits between two count tables aligned on their shared classes.

    0 for identical distributions, 1 for disjoint supports; NaN if either table is empty.
    """
    _, dist = aligned_distributions(counts_a, counts_b)
    return float(jsd_bits_rows(dist[0], dist[1]))
