"""Fixtures for the judging tests: tiny trained image runs (16x16 DCGANs on random IDX files),
one plain with an EMA generator and one class-conditional, built once per test session."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

from ganzoo.data import idx


def write_idx(directory: str, split: str, n: int, seed: int) -> None:
    """n random 28x28 images with labels i mod 10, as MNIST-style IDX files."""
    rng = np.random.default_rng(seed)
    prefix = {"train": "train", "test": "t10k"}[split]
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    idx.write_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte"), images)
    idx.write_idx(
        os.path.join(directory, f"{prefix}-labels-idx1-ubyte"), (np.arange(n) % 10).astype(np.uint8)
    )


def tiny_config(data_dir: str, **model):
    from ganzoo.config import apply_overrides, base_config
    from ganzoo.experiment import validate

    c = base_config()
    c.name = "tiny_judge"
    c.data.update(source="idx", name="tiny", dir=data_dir, cache=False, shuffle_buffer=64)
    c.model.update(arch="dcgan", resolution=16, channels=1, latent_dim=8, width=8, **model)
    c.train.update(steps=2, batch_size=8, log_every=1, sample_every=100, checkpoint_every=100)
    c.health.update(diversity_samples=8)
    return validate(apply_overrides(c, {}))


@pytest.fixture(scope="session")
def judge_runs(tmp_path_factory):
    """{'data': IDX folder (train 64, test 40), 'plain': EMA run, 'conditional': cGAN run},
    each run trained 2 steps."""
    import io

    from ganzoo import train_lib

    root = tmp_path_factory.mktemp("judge_runs")
    data = str(root / "data")
    os.makedirs(data)
    write_idx(data, "train", 64, seed=0)
    write_idx(data, "test", 40, seed=1)
    out = {"data": data}
    for name, model, stabilizers in (
        ("plain", {}, {"ema_decay": 0.999}),
        ("conditional", {"conditioning": "concat", "num_classes": 10}, {}),
    ):
        config = tiny_config(data, **model)
        config.unlock()
        config.stabilizers.update(stabilizers)
        config.lock()
        path = str(root / name)
        train_lib.train(config, path, stream=io.StringIO())
        out[name] = path
    return out


@pytest.fixture
def run_copy(judge_runs, tmp_path):
    """copy(name, **data) -> a fresh copy of a fixture run, its config.json's data.* edited."""

    def copy(name: str, **data) -> str:
        path = str(tmp_path / name)
        shutil.copytree(judge_runs[name], path)
        if data:
            config_path = os.path.join(path, "config.json")
            with open(config_path) as f:
                config = json.load(f)
            config["data"].update(data)
            with open(config_path, "w") as f:
                json.dump(config, f)
        return path

    return copy
