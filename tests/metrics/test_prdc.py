"""Tests for precision/recall and density/coverage against brute-force numpy."""

import numpy as np
import pytest

from ganzoo.metrics.prdc import density_coverage, precision_recall


def brute(real: np.ndarray, fake: np.ndarray, k: int) -> dict:
    def dist(a, b):
        return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))

    def radii(x):
        return np.sort(dist(x, x), axis=1)[:, k]  # column 0 is the point itself

    r_real, r_fake = radii(real), radii(fake)
    d_rf = dist(real, fake)  # [N, M]
    return {
        "precision": np.mean([(d_rf[:, j] <= r_real).any() for j in range(len(fake))]),
        "recall": np.mean([(d_rf[i, :] <= r_fake).any() for i in range(len(real))]),
        "density": (d_rf < r_real[:, None]).sum() / (k * len(fake)),
        "coverage": np.mean([(d_rf[i, :] < r_real[i]).any() for i in range(len(real))]),
    }


@pytest.mark.parametrize("batch_size", [None, 7])
def test_matches_brute_force(batch_size):
    rng = np.random.default_rng(0)
    real = rng.normal(size=(60, 5))
    fake = rng.normal(loc=0.4, scale=1.3, size=(45, 5))
    want = brute(real, fake, k=3)
    got = precision_recall(real, fake, k=3, batch_size=batch_size)
    got |= density_coverage(real, fake, k=3, batch_size=batch_size)
    for key, value in want.items():
        np.testing.assert_allclose(got[key], value, err_msg=key)
    assert 0 < got["precision"] < 1 and 0 < got["recall"] < 1


def test_identical_sets():
    x = np.random.default_rng(1).normal(size=(80, 6))
    assert precision_recall(x, x, k=3) == {"precision": 1.0, "recall": 1.0}
    dc = density_coverage(x, x, k=5)
    assert dc["coverage"] == 1.0
    # Ball i holds x_i and its k - 1 nearest neighbours (open ball): k hits each, density 1.
    np.testing.assert_allclose(dc["density"], 1.0)


def test_disjoint_sets():
    x = np.random.default_rng(2).normal(size=(40, 3))
    pr = precision_recall(x, x + 100.0, k=3)
    dc = density_coverage(x, x + 100.0, k=3)
    assert pr == {"precision": 0.0, "recall": 0.0}
    assert dc == {"density": 0.0, "coverage": 0.0}


def test_k_too_large():
    with pytest.raises(ValueError, match="k=5"):
        precision_recall(np.zeros((5, 2)), np.zeros((10, 2)), k=5)
