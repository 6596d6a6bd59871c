"""The 2-D mixtures: centres, spread and shapes match the VEEGAN/PacGAN settings."""

from __future__ import annotations

import numpy as np
import pytest

from ganzoo.data import synthetic
from ganzoo.errors import ConfigError


def test_ring8_centres_lie_evenly_on_radius_2():
    centers = synthetic.mode_centers("ring8")
    assert centers.shape == (8, 2) and centers.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 2.0, atol=1e-6)
    angles = np.sort(np.mod(np.arctan2(centers[:, 1], centers[:, 0]), 2 * np.pi))
    np.testing.assert_allclose(np.diff(angles), 2 * np.pi / 8, atol=1e-6)
    assert synthetic.mode_std("ring8") == 0.02


def test_grid25_centres_cover_the_grid():
    centers = synthetic.mode_centers("grid25")
    assert centers.shape == (25, 2) and centers.dtype == np.float32
    expected = {(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)}
    assert {tuple(c) for c in centers.tolist()} == expected
    assert synthetic.mode_std("grid25") == 0.05


@pytest.mark.parametrize("name", synthetic.SYNTHETIC_NAMES)
def test_samples_have_the_mixture_statistics(name):
    n = 20_000
    points = synthetic.sample_synthetic(name, n, seed=0)
    assert points.shape == (n, 2) and points.dtype == np.float32
    centers = synthetic.mode_centers(name)
    nearest = np.argmin(np.linalg.norm(points[:, None] - centers[None], axis=2), axis=1)
    residual = points - centers[nearest]
    np.testing.assert_allclose(residual.mean(axis=0), 0.0, atol=0.003)
    np.testing.assert_allclose(residual.std(axis=0), synthetic.mode_std(name), rtol=0.05)
    counts = np.bincount(nearest, minlength=len(centers))
    np.testing.assert_allclose(counts / n, 1 / len(centers), atol=0.015)  # uniform modes
    np.testing.assert_allclose(points.mean(axis=0), 0.0, atol=0.1)


def test_seed_makes_samples_reproducible():
    a = synthetic.sample_synthetic("ring8", 100, seed=3)
    np.testing.assert_array_equal(a, synthetic.sample_synthetic("ring8", 100, seed=3))
    assert not np.array_equal(a, synthetic.sample_synthetic("ring8", 100, seed=4))


def test_modes_returned_with_points_are_the_nearest_centres():
    points, modes = synthetic.sample_synthetic_with_modes("grid25", 500, seed=0)
    centers = synthetic.mode_centers("grid25")
    nearest = np.argmin(np.linalg.norm(points[:, None] - centers[None], axis=2), axis=1)
    np.testing.assert_array_equal(modes, nearest)


def test_unknown_name_suggests_close_names():
    with pytest.raises(ConfigError, match="'ring8'"):
        synthetic.sample_synthetic("ring9", 10, seed=0)
    with pytest.raises(ConfigError, match="grid25"):
        synthetic.mode_centers("grid")
