"""Tests for the Inception Score against a numpy computation."""

import numpy as np
import pytest

from ganzoo.metrics.inception_score import inception_score


def numpy_score(logits: np.ndarray) -> float:
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    marginal = p.mean(0)
    kl = (p * (np.log(p) - np.log(marginal))).sum(1)
    return float(np.exp(kl.mean()))


def test_matches_numpy_per_split():
    logits = np.random.default_rng(0).normal(scale=3.0, size=(103, 10))
    scores = [numpy_score(part) for part in np.array_split(logits, 5)]
    mean, std = inception_score(logits, splits=5)
    np.testing.assert_allclose(mean, np.mean(scores), rtol=1e-10)
    np.testing.assert_allclose(std, np.std(scores), rtol=1e-8)


def test_uniform_logits_give_one():
    mean, std = inception_score(np.zeros((50, 7)), splits=5)
    np.testing.assert_allclose(mean, 1.0)
    assert std < 1e-12


def test_confident_balanced_logits_give_num_classes():
    k = 8
    logits = 50.0 * np.tile(np.eye(k), (10, 1))  # every split uses all k classes equally
    mean, _ = inception_score(logits, splits=10)
    np.testing.assert_allclose(mean, k, rtol=1e-6)


def test_bad_splits():
    with pytest.raises(ValueError, match="splits"):
        inception_score(np.zeros((3, 4)), splits=4)
