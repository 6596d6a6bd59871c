"""Class coverage of samples against hand computations."""

import math

import numpy as np
import pytest

from ganzoo.metrics.class_coverage import class_coverage, class_histogram


def one_hot_logits(classes, num_classes=10):
    logits = np.zeros((len(classes), num_classes), np.float32)
    logits[np.arange(len(classes)), classes] = 5.0
    return logits


def test_histogram_is_the_share_of_argmax_classes():
    logits = np.array([[0.1, 2.0, -1.0], [3.0, 0.0, 0.0], [0.0, 1.0, 0.5], [0.0, 0.0, 0.2]])
    np.testing.assert_allclose(class_histogram(logits), [1 / 4, 2 / 4, 1 / 4])
    np.testing.assert_allclose(class_histogram(logits[:2], 4), [1 / 2, 1 / 2, 0, 0])


def test_against_a_numpy_computation():
    rng = np.random.default_rng(0)
    real = one_hot_logits(rng.integers(0, 10, 1000))
    sample_classes = np.concatenate([np.full(300, 2), np.full(20, 5), np.full(19, 6)])
    sample_classes = np.concatenate([sample_classes, rng.integers(0, 10, 661)])
    out = class_coverage(one_hot_logits(sample_classes) + rng.normal(0, 0.1, (1000, 10)), real)
    h = np.bincount(sample_classes, minlength=10) / 1000
    r = np.bincount(np.argmax(real, 1), minlength=10) / 1000
    assert out["num_classes"] == 10
    np.testing.assert_allclose(out["class_histogram"], h)
    assert out["classes_covered"] == int(np.sum(h >= 0.02))  # 20 of 1,000 samples / 10 classes
    np.testing.assert_allclose(out["class_kl"], np.sum(h * np.log(h / r)), rtol=1e-9)


def test_the_coverage_threshold_is_a_fifth_of_a_uniform_share():
    real = one_hot_logits(np.arange(10).repeat(10))
    # 10,000 samples, 10 classes: 200 (a fifth of 1,000) covers a class, 199 does not.
    classes = np.concatenate([np.full(200, 0), np.full(199, 1), np.full(9601, 2)])
    out = class_coverage(one_hot_logits(classes), real)
    assert out["classes_covered"] == 2


def test_one_class_and_real_like_samples():
    real = one_hot_logits(np.arange(10).repeat(30))
    collapsed = class_coverage(one_hot_logits(np.full(500, 3)), real)
    assert collapsed["classes_covered"] == 1
    np.testing.assert_allclose(collapsed["class_kl"], math.log(10), rtol=1e-9)
    same = class_coverage(real[::-1], real)
    assert same["classes_covered"] == 10 and same["class_kl"] == pytest.approx(0.0, abs=1e-12)


def test_a_class_the_real_data_never_shows_keeps_the_kl_finite():
    out = class_coverage(one_hot_logits([0, 1]), one_hot_logits([0, 0]))
    assert math.isfinite(out["class_kl"]) and out["class_kl"] > 10


def test_mismatched_classifiers_are_refused():
    with pytest.raises(ValueError, match="Expected the same classifier"):
        class_coverage(np.zeros((3, 10)), np.zeros((3, 5)))
