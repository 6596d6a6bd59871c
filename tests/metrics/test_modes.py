"""Tests for mode coverage on hand-made samples."""

import math

import numpy as np
import pytest

from ganzoo.metrics.modes import mode_metrics

CENTERS = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])


def test_hand_made_samples():
    samples = np.array(
        [
            [0.1, 0.0],  # mode 0
            [0.0, -0.2],  # mode 0
            [10.0, 0.25],  # mode 1
            [5.0, 5.0],  # far from every mode: low quality
            [10.0, 9.0],  # 1.0 from mode 3 > 3 * 0.1: low quality
        ]
    )
    out = mode_metrics(samples, CENTERS, std=0.1)
    assert out["modes_covered"] == 2
    assert out["num_modes"] == 4
    np.testing.assert_allclose(out["high_quality_fraction"], 3 / 5)
    p = np.array([2 / 3, 1 / 3])
    np.testing.assert_allclose(out["kl_to_uniform"], np.sum(p * np.log(p * 4)), rtol=1e-9)


def test_threshold_and_min_count():
    samples = np.array([[0.0, 0.0], [0.0, 0.1], [10.0, 0.0], [10.0, 9.0]])
    out = mode_metrics(samples, CENTERS, std=0.1, threshold=10.0, min_count=2)
    assert out["modes_covered"] == 1  # modes 1 and 3 have one sample each
    assert out["high_quality_fraction"] == 1.0


def test_balanced_and_collapsed():
    balanced = mode_metrics(np.repeat(CENTERS, 5, axis=0), CENTERS, std=0.1)
    assert balanced["modes_covered"] == 4
    np.testing.assert_allclose(balanced["kl_to_uniform"], 0.0, atol=1e-9)
    collapsed = mode_metrics(np.zeros((7, 2)), CENTERS, std=0.1)
    assert collapsed["modes_covered"] == 1
    np.testing.assert_allclose(collapsed["kl_to_uniform"], math.log(4), rtol=1e-9)


def test_no_high_quality_sample():
    out = mode_metrics(np.full((3, 2), 5.0), CENTERS, std=0.1)
    assert out["modes_covered"] == 0 and out["high_quality_fraction"] == 0.0
    assert math.isnan(out["kl_to_uniform"])


def test_bad_std():
    with pytest.raises(ValueError, match="std > 0"):
        mode_metrics(np.zeros((2, 2)), CENTERS, std=0.0)
