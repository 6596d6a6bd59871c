"""Streaming embedding and the keyed on-disk cache of the real data's features."""

import numpy as np
import pytest

from ganzoo.errors import EvalError
from ganzoo.metrics import reference


def linear_extractor(images):
    x = images.reshape(len(images), -1)
    return x[:, :3] * 2.0, x[:, :4]


def test_embed_streams_stats_and_caps_features():
    rng = np.random.default_rng(0)
    images = rng.normal(size=(25, 2, 2, 1)).astype(np.float32)
    batches = (images[i : i + 4] for i in range(0, 25, 4))
    out = reference.embed(batches, linear_extractor, max_features=10)
    flat = images.reshape(25, -1)
    assert out.count == 25 and out.features.shape == (10, 3) and out.logits.shape == (25, 4)
    np.testing.assert_allclose(out.features, 2 * flat[:10, :3], rtol=1e-6)
    np.testing.assert_allclose(out.stats.mean, 2 * flat[:, :3].mean(0), rtol=1e-6)
    np.testing.assert_allclose(out.stats.cov, np.cov(2 * flat[:, :3], rowvar=False), rtol=1e-6)


def test_embed_needs_two_images():
    with pytest.raises(EvalError, match="Received: 1 image"):
        reference.embed([np.zeros((1, 2, 2, 1), np.float32)], linear_extractor, 10)


def test_cache_round_trip_and_key_check(tmp_path):
    images = np.random.default_rng(1).normal(size=(12, 2, 2, 1)).astype(np.float32)
    embedded = reference.embed([images], linear_extractor, 8)
    embedded.extra = {"score": 1.5}
    key = {"dataset": "d", "split": "test", "extractor": "classifier:d", "num_samples": 12}
    stem = reference.cache_stem(str(tmp_path), key)
    assert stem.startswith(str(tmp_path / "d-test-classifier_d-n12-"))
    assert reference.load_cached(stem, key) is None
    reference.save_cached(stem, key, embedded)
    loaded = reference.load_cached(stem, key)
    np.testing.assert_array_equal(loaded.features, embedded.features)
    np.testing.assert_array_equal(loaded.logits, embedded.logits)
    np.testing.assert_allclose(loaded.stats.cov, embedded.stats.cov)
    assert loaded.extra == {"score": 1.5} and loaded.count == 12
    assert reference.load_cached(stem, {**key, "num_samples": 13}) is None
