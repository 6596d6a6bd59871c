"""build_dataset on every source: shapes, dtypes, range, labels, and the batching tail."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from PIL import Image

from ganzoo.config import apply_overrides, base_config
from ganzoo.data import SOURCES, build_dataset, example_shape
from ganzoo.data import tfds as tfds_source
from ganzoo.data.transforms import to_model_image
from ganzoo.errors import ConfigError, DataError


def _config(**overrides):
    defaults = {"train.batch_size": 4, "data.shuffle_buffer": 8}
    return apply_overrides(base_config(), {**defaults, **overrides})


def _check_images(x, batch, shape):
    assert x.dtype == tf.float32 and tuple(x.shape) == (batch, *shape)
    assert float(tf.reduce_min(x)) >= -1.0 and float(tf.reduce_max(x)) <= 1.0


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    monkeypatch.setattr(tfds_source, "network_reachable", lambda *a, **k: False)


def test_synthetic():
    c = _config(**{"data.source": "synthetic", "data.name": "grid25", "data.synthetic_size": 100})
    x, y = next(iter(build_dataset(c, with_labels=True)))
    assert x.dtype == tf.float32 and x.shape == (4, 2)
    assert y.dtype == tf.int32 and 0 <= int(tf.reduce_min(y)) <= int(tf.reduce_max(y)) < 25
    assert example_shape(c) == (2,)
    # Raw coordinates, not squashed into [-1, 1].
    assert float(tf.reduce_max(tf.abs(next(iter(build_dataset(c)))))) > 1.0


@pytest.mark.parametrize("resolution, channels", [(28, 1), (32, 1), (32, 3)])
def test_idx(idx_dir, resolution, channels):
    c = _config(
        **{
            "data.source": "idx",
            "data.dir": idx_dir,
            "model.resolution": resolution,
            "model.channels": channels,
        }
    )
    x, y = next(iter(build_dataset(c, with_labels=True)))
    _check_images(x, 4, (resolution, resolution, channels))
    assert y.dtype == tf.int32
    assert example_shape(c) == (resolution, resolution, channels)


def test_idx_values_are_scaled_not_resized_at_28(idx_dir):
    from ganzoo.data.idx import load_idx_split

    images, _ = load_idx_split(idx_dir, "test")
    c = _config(
        **{
            "data.source": "idx",
            "data.dir": idx_dir,
            "data.split": "test",
            "data.shuffle_buffer": 0,
        }
    )
    x = next(iter(build_dataset(c, repeat=False)))
    np.testing.assert_allclose(x.numpy()[..., 0], images[:4] / 127.5 - 1, atol=1e-6)


def test_idx_without_files_says_how_to_get_them(no_system_idx):
    c = _config(**{"data.source": "idx", "data.name": "fashion_mnist"})
    with pytest.raises(DataError, match="apt-get install dataset-fashion-mnist.*--set data.dir="):
        build_dataset(c)


def test_folder(tmp_path):
    rng = np.random.default_rng(0)
    for i, (sub, size, mode) in enumerate(
        [("a", (40, 20), "RGB"), ("a", (16, 16), "L"), ("b", (50, 60), "RGBA"), ("b", (9, 30), "L")]
    ):
        (tmp_path / sub).mkdir(exist_ok=True)
        channels = len(mode)
        pixels = rng.integers(0, 256, (size[1], size[0], channels), np.uint8)
        Image.fromarray(pixels.squeeze(-1) if channels == 1 else pixels).save(
            tmp_path / sub / f"{i}.{'jpg' if mode == 'RGB' else 'png'}"
        )
    (tmp_path / "b" / "bad.png").write_bytes(b"junk")
    for channels in (1, 3):
        c = _config(
            **{
                "data.source": "folder",
                "data.dir": str(tmp_path),
                "model.resolution": 16,
                "model.channels": channels,
                "data.shuffle_buffer": 0,
            }
        )
        x, y = next(iter(build_dataset(c, with_labels=True, repeat=False)))
        _check_images(x, 4, (16, 16, channels))
        assert y.numpy().tolist() == [0, 0, 1, 1]
        # build_dataset prepares folder images in their decoding map: the same images as the
        # raw source (what unpaired domains and video pools read) plus to_model_image.
        raw = [to_model_image(im, 16, channels).numpy() for im in SOURCES["folder"](c, False)]
        assert [tuple(im.shape) for im in SOURCES["folder"](c, False)][1] == (16, 16, 1)
        np.testing.assert_array_equal(x.numpy(), np.stack(raw))


def test_folder_without_subfolders_cannot_give_labels(tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "x.png")
    c = _config(**{"data.source": "folder", "data.dir": str(tmp_path), "train.batch_size": 1})
    assert next(iter(build_dataset(c))).shape == (1, 28, 28, 1)
    with pytest.raises(DataError, match="class subfolder"):
        build_dataset(c, with_labels=True)


def test_empty_folder(tmp_path):
    c = _config(**{"data.source": "folder", "data.dir": str(tmp_path)})
    with pytest.raises(DataError, match="No readable image"):
        build_dataset(c)


@pytest.mark.parametrize(
    "name, resolution, channels", [("mnist", 32, 1), ("cifar10", 32, 3), ("cifar10", 16, 1)]
)
def test_tfds_mock(name, resolution, channels):
    c = _config(**{"data.name": name, "model.resolution": resolution, "model.channels": channels})
    with tfds.testing.mock_data(num_examples=10):
        x, y = next(iter(build_dataset(c, with_labels=True)))
    _check_images(x, 4, (resolution, resolution, channels))
    assert y.dtype == tf.int32 and y.shape == (4,)


def test_auto_prefers_idx_files(idx_dir):
    c = _config(**{"data.source": "auto", "data.dir": idx_dir, "data.max_examples": 8})
    assert len(list(build_dataset(c, repeat=False))) == 2  # 8 IDX examples, not mock data


def test_auto_falls_back_to_tfds(no_system_idx):
    c = _config(**{"data.source": "auto", "data.name": "mnist"})
    with tfds.testing.mock_data(num_examples=5):
        _check_images(next(iter(build_dataset(c))), 4, (28, 28, 1))


def test_auto_offline_without_files_is_a_data_error(no_system_idx, tmp_path):
    c = _config(**{"data.source": "auto", "data.name": "mnist", "data.data_dir": str(tmp_path)})
    with pytest.raises(DataError, match="network is unreachable"):
        build_dataset(c)


def test_batching_tail(idx_dir):
    c = _config(**{"data.source": "idx", "data.dir": idx_dir, "train.batch_size": 6})
    assert len(list(build_dataset(c, repeat=False))) == 3  # 20 examples, remainder dropped
    c = apply_overrides(c, {"data.max_examples": 12, "data.cache": False})
    assert len(list(build_dataset(c, repeat=False))) == 2
    repeated = build_dataset(c).take(5)  # repeats past the 12 examples
    assert len(list(repeated)) == 5


def test_shuffle_is_seeded(idx_dir):
    c = _config(**{"data.source": "idx", "data.dir": idx_dir, "data.shuffle_buffer": 20})

    def labels(config):
        return [y.numpy().tolist() for _, y in build_dataset(config, with_labels=True).take(3)]

    assert labels(c) == labels(c)
    assert labels(c) != labels(apply_overrides(c, {"seed": 1}))


def test_unknown_source_and_bad_values():
    c = base_config()
    c.data.source = "tfsd"
    with pytest.raises(ConfigError, match="Did you mean 'tfds'"):
        build_dataset(c)
    c = _config(**{"data.source": "synthetic", "data.name": "ring8", "data.max_examples": -1})
    with pytest.raises(ConfigError, match="data.max_examples=-1"):
        build_dataset(c)
