"""Tests for the Kernel Inception Distance against a double-loop numpy implementation."""

import numpy as np
import pytest

from ganzoo.metrics.kid import kernel_inception_distance


def loop_mmd2(x: np.ndarray, y: np.ndarray, degree=3, gamma=None, coef0=1.0) -> float:
    gamma = 1.0 / x.shape[1] if gamma is None else gamma
    m = len(x)

    def k(a, b):
        return (gamma * float(np.dot(a, b)) + coef0) ** degree

    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / (m * m)
    return xx + yy - 2 * xy


def test_full_subset_matches_loops():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 4)), rng.normal(loc=0.5, size=(20, 4))
    mean, std = kernel_inception_distance(x, y, num_subsets=3, subset_size=50)
    np.testing.assert_allclose(mean, loop_mmd2(x, y), rtol=1e-10)
    assert std < 1e-10  # every subset is a permutation of the full sets


def test_random_subsets_match_loops_with_same_draws():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(30, 3)), rng.normal(scale=2.0, size=(25, 3))
    mean, std = kernel_inception_distance(
        x, y, num_subsets=4, subset_size=12, degree=2, gamma=0.5, coef0=0.3, seed=7
    )
    draws = np.random.default_rng(7)
    values = []
    for _ in range(4):
        xi = draws.choice(30, 12, replace=False)
        yi = draws.choice(25, 12, replace=False)
        values.append(loop_mmd2(x[xi], y[yi], degree=2, gamma=0.5, coef0=0.3))
    np.testing.assert_allclose([mean, std], [np.mean(values), np.std(values)], rtol=1e-10)


def test_same_distribution_is_near_zero():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(600, 16)), rng.normal(size=(600, 16))
    same, _ = kernel_inception_distance(x, y, num_subsets=10, subset_size=500)
    shifted, _ = kernel_inception_distance(x, y + 1.0, num_subsets=10, subset_size=500)
    assert abs(same) < 0.01 < shifted


def test_too_few_samples():
    with pytest.raises(ValueError, match="at least 2"):
        kernel_inception_distance(np.zeros((1, 2)), np.zeros((5, 2)))
