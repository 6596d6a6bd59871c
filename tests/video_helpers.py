"""Tiny Fashion-MNIST-shaped IDX files and a tiny video config, shared by the video tests."""

from __future__ import annotations

import os

import numpy as np

from ganzoo import config as config_lib
from ganzoo.data import idx


def write_objects_idx(directory: str, n_train: int = 40, n_test: int = 30) -> str:
    """IDX files of 28x28 images: class k is a bright block whose width is k + 8 px (centred),
    on black, so every object has mass and the classifier can tell the classes apart."""
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = (np.arange(n) % 10).astype(np.uint8)
        images = np.zeros((n, 28, 28), np.uint8)
        for i, k in enumerate(labels):
            half = (k + 8) // 2
            images[i, 14 - half : 14 + half, 8:20] = 200 + (i % 5) * 10
        idx.write_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz"), images)
        idx.write_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz"), labels)
    return directory


TINY = {
    "model.resolution": 16,
    "model.width": 4,
    "model.latent_dim": 6,
    "video.frames": 4,
    "video.objects": 1,
    "video.object_size": 8,
    "video.motion_dim": 4,
    "video.motion_noise_dim": 2,
    "train.batch_size": 4,
    "train.steps": 2,
    "train.log_every": 1,
    "train.sample_every": 2,
    "train.checkpoint_every": 2,
    "sample.num": 4,
    "sample.cols": 2,
    "health.diversity_samples": 4,
    "eval.num_samples": 12,
    "eval.batch_size": 6,
    "eval.classifier_epochs": 1,
}


def tiny_video_config(data_dir: str, cache_dir: str = "", **overrides) -> config_lib.Config:
    """video_moving_fashion_mnist shrunk to 16x16 x 4 frames on the IDX files in `data_dir`."""
    import experiments  # noqa: F401  (registers the experiments)
    from ganzoo.experiment import get_experiment

    settings = {**TINY, "data.source": "idx", "data.dir": data_dir, "eval.cache_dir": cache_dir}
    return get_experiment("video_moving_fashion_mnist", {**settings, **overrides})
