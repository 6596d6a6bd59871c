"""Fixtures for the data tests: tiny IDX folders and a sandbox for the IDX search paths."""

from __future__ import annotations

import os

import numpy as np
import pytest

from ganzoo.data import idx


def _write_idx_split(directory: str, split: str, n: int, *, gz: bool = True, seed: int = 0) -> None:
    """Writes n random 28x28 images and labels 0..9 as MNIST-style IDX files."""
    rng = np.random.default_rng(seed)
    prefix = {"train": "train", "test": "t10k"}[split]
    ext = ".gz" if gz else ""
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    idx.write_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte{ext}"), images)
    idx.write_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte{ext}"), labels)


@pytest.fixture
def write_idx_split():
    """`write_idx_split(directory, split, n, gz=True, seed=0)`: n random images, labels 0..9."""
    return _write_idx_split


@pytest.fixture
def idx_dir(tmp_path) -> str:
    """A folder with a 20-example train split (gzip) and a 10-example test split (plain)."""
    _write_idx_split(str(tmp_path), "train", 20, gz=True)
    _write_idx_split(str(tmp_path), "test", 10, gz=False, seed=1)
    return str(tmp_path)


@pytest.fixture
def no_system_idx(monkeypatch, tmp_path_factory):
    """Hides Debian's and $GANZOO_IDX_DIR's files so a test sees only what it writes."""
    empty = str(tmp_path_factory.mktemp("no_idx_root"))
    monkeypatch.setattr(idx, "SYSTEM_IDX_ROOTS", (empty,))
    monkeypatch.delenv(idx.IDX_DIR_ENV, raising=False)
    return empty
