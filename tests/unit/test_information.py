"""Shannon entropy and Jensen-Shannon divergence against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import jensenshannon

from lithoflow.splits.information import (
    aligned_distributions,
    counts_vector,
    entropy_bits,
    entropy_nats,
    jensen_shannon_bits,
    jsd_bits_rows,
    shannon_entropy,
)


@pytest.mark.parametrize(
    ("counts", "bits"),
    [
        ([1, 1], 1.0),
        ([5, 5, 5, 5], 2.0),
        ([7, 0, 0], 0.0),
        ([1, 3], -(0.25 * math.log2(0.25) + 0.75 * math.log2(0.75))),  # 0.811278...
        ([2, 1, 1], 1.5),
    ],
)
def test_entropy_bits_hand_values(counts, bits):
    assert entropy_bits(counts) == pytest.approx(bits, abs=1e-12)


def test_entropy_units_and_scale_invariance():
    assert entropy_nats([1, 1]) == pytest.approx(math.log(2))
    assert shannon_entropy([1, 1, 1], base=3) == pytest.approx(1.0)
    assert entropy_bits(np.array([10, 30])) == pytest.approx(entropy_bits([1, 3]))
    assert math.isnan(entropy_bits([0, 0]))
    with pytest.raises(ValueError):
        entropy_bits([1, -1])


def test_jsd_hand_value():
    # p = (1, 0) from {"a": 4}, q = (1/2, 1/2) from {"a": 1, "b": 1}, m = (p + q) / 2 = (3/4, 1/4).
    jsd = jensen_shannon_bits({"a": 4}, {"a": 1, "b": 1})
    # The mean of KL(p||m) = log2(4/3) and KL(q||m) = 1/2 log2(2/3) + 1/2 log2(2) ...
    by_divergences = 0.5 * (math.log2(4 / 3) + 0.5 * math.log2(2 / 3) + 0.5 * math.log2(2))
    assert jsd == pytest.approx(by_divergences, abs=1e-12)
    # ... which is also H(m) - (H(p) + H(q)) / 2 = H(3/4, 1/4) - (0 + 1) / 2 = 0.311278 bits.
    by_entropies = -(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25)) - 0.5
    assert jsd == pytest.approx(by_entropies, abs=1e-12)
    assert jsd == pytest.approx(0.311278, abs=1e-6)


def test_jsd_bounds_symmetry_and_alignment():
    assert jensen_shannon_bits({"a": 3, "b": 1}, {"a": 30, "b": 10}) == pytest.approx(
        0.0, abs=1e-15
    )
    assert jensen_shannon_bits({"a": 2}, {"b": 5}) == pytest.approx(1.0)
    ab = jensen_shannon_bits({"a": 2, "b": 1}, {"b": 1, "c": 4})
    ba = jensen_shannon_bits({"b": 1, "c": 4}, {"a": 2, "b": 1})
    assert ab == pytest.approx(ba)
    assert math.isnan(jensen_shannon_bits({"a": 0}, {"a": 1}))


def test_jsd_matches_scipy_on_random_vectors():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(12), size=5)
    q = rng.dirichlet(np.ones(12), size=5)
    q[:, :3] = 0.0
    q /= q.sum(axis=1, keepdims=True)
    ours = jsd_bits_rows(p, q)
    theirs = [jensenshannon(a, b, base=2) ** 2 for a, b in zip(p, q, strict=True)]
    np.testing.assert_allclose(ours, theirs, atol=1e-12)


def test_aligned_distributions_fill_absent_classes_with_zero():
    vocabulary, dist = aligned_distributions(pd.Series({"b": 1, "a": 3}), {"c": 2})
    assert vocabulary == ["a", "b", "c"]
    np.testing.assert_allclose(dist, [[0.75, 0.25, 0.0], [0.0, 0.0, 1.0]])


def test_counts_vector_refuses_classes_outside_vocabulary():
    np.testing.assert_array_equal(counts_vector({"a": 2}, ["a", "b"]), [2.0, 0.0])
    with pytest.raises(ValueError, match="outside the vocabulary"):
        counts_vector({"z": 1}, ["a"])
