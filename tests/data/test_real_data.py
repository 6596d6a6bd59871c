"""Debian's Fashion-MNIST IDX files (package dataset-fashion-mnist), validated by content."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from debian_packages import debian_fashion_mnist_dir

from ganzoo.config import apply_overrides, base_config
from ganzoo.data import build_dataset, find_idx_dir, load_idx_split

DEBIAN_DIR = debian_fashion_mnist_dir()

pytestmark = pytest.mark.real_data  # skipped without the files (tests/conftest.py)


def test_debian_fashion_mnist_train_split():
    images, labels = load_idx_split(DEBIAN_DIR, "train")
    assert images.shape == (60_000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (60_000,)
    np.testing.assert_array_equal(np.bincount(labels), [6000] * 10)  # balanced classes 0..9
    assert images.max() == 255 and images.min() == 0


def test_auto_source_finds_the_debian_files(monkeypatch):
    monkeypatch.delenv("GANZOO_IDX_DIR", raising=False)
    assert find_idx_dir("fashion_mnist") == DEBIAN_DIR
    c = apply_overrides(
        base_config(),
        {
            "data.source": "auto",
            "data.name": "fashion_mnist",
            "data.split": "test",
            "data.max_examples": 64,
            "model.resolution": 32,
            "train.batch_size": 32,
        },
    )
    batches = list(build_dataset(c, with_labels=True, repeat=False))
    assert len(batches) == 2
    x, y = batches[0]
    assert x.shape == (32, 32, 32, 1) and x.dtype == tf.float32 and y.dtype == tf.int32
