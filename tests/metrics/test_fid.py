"""Tests for the Fréchet distance: TF-GAN's, the numpy one on statistics, and streaming stats."""

import numpy as np
import pytest
import scipy.linalg

from ganzoo.errors import EvalError
from ganzoo.metrics.fid import FeatureStats, frechet_distance, frechet_distance_from_stats


def scipy_frechet(x: np.ndarray, y: np.ndarray) -> float:
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean))


@pytest.fixture
def features():
    rng = np.random.default_rng(0)
    mix = rng.normal(size=(16, 16))
    real = rng.normal(size=(400, 16)) @ mix
    fake = rng.normal(size=(300, 16)) @ (mix + 0.3 * rng.normal(size=(16, 16))) + 0.5
    return real, fake


def test_tfgan_frechet_matches_scipy(features):
    real, fake = features
    np.testing.assert_allclose(frechet_distance(real, fake), scipy_frechet(real, fake), rtol=1e-4)


def test_stats_frechet_matches_scipy(features):
    real, fake = features
    fd = frechet_distance_from_stats(
        real.mean(0), np.cov(real, rowvar=False), fake.mean(0), np.cov(fake, rowvar=False)
    )
    np.testing.assert_allclose(fd, scipy_frechet(real, fake), rtol=1e-4)


def test_stats_frechet_is_symmetric(features):
    real, fake = features
    a = (real.mean(0), np.cov(real, rowvar=False))
    b = (fake.mean(0), np.cov(fake, rowvar=False))
    np.testing.assert_allclose(
        frechet_distance_from_stats(*a, *b), frechet_distance_from_stats(*b, *a)
    )


def test_streaming_equals_whole_batch(features, tmp_path):
    real, fake = features
    stats = FeatureStats(16)
    for batch in np.array_split(real, 7):
        stats.update(batch)
    np.testing.assert_allclose(stats.mean, real.mean(0), rtol=1e-12)
    np.testing.assert_allclose(stats.cov, np.cov(real, rowvar=False), rtol=1e-10, atol=1e-12)
    stats.save(tmp_path / "real.npz")
    loaded = FeatureStats.load(tmp_path / "real.npz")
    assert loaded.count == 400
    fake_stats = FeatureStats(16).update(fake)
    np.testing.assert_allclose(
        loaded.frechet_distance(fake_stats), frechet_distance(real, fake), rtol=1e-8
    )


def test_identical_sets_give_zero(features):
    real, _ = features
    assert abs(frechet_distance(real, real)) < 1e-6
    s = FeatureStats(16).update(real)
    assert s.frechet_distance(s) < 1e-6


def test_rank_deficient_covariance_is_finite():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(10, 32))  # fewer samples than dimensions
    y = rng.normal(size=(10, 32)) + 1.0
    fd = frechet_distance_from_stats(
        x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False)
    )
    assert np.isfinite(fd) and fd > 0


def test_bad_inputs():
    with pytest.raises(ValueError, match="Expected the same feature dimension"):
        frechet_distance(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="at least 2"):
        FeatureStats(3).update(np.zeros((1, 3))).cov  # noqa: B018


def test_load_rejects_other_files(tmp_path):
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(EvalError, match="FeatureStats.save"):
        FeatureStats.load(tmp_path / "other.npz")
