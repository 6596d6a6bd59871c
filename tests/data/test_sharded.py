"""The sharded TFRecord reader on shards the test writes: every record read once, disjoint
per-pipeline shards, reproducible deterministic order; the tfrecord source; TFDS manual_dir."""

import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo.data import sharded
from ganzoo.data import tfds as tfds_lib
from ganzoo.errors import ConfigError, DataError

N, SHARDS = 23, 4


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shards")
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (N, 8, 8, 3), dtype=np.uint8)
    paths = sharded.write_shards(str(folder), images, np.arange(N), SHARDS)
    return str(folder), paths, images


def _labels(ds):
    return [int(y) for _, y in ds.as_numpy_iterator()]


def test_every_record_is_read_exactly_once(shards):
    folder, paths, images = shards
    files = sharded.list_shards(sharded.shard_glob(folder))
    assert files == sorted(paths) and len(files) == SHARDS
    for deterministic in (True, False):
        examples = list(sharded.read_sharded(files, deterministic=deterministic))
        assert sorted(int(y) for _, y in examples) == list(range(N))
    for image, label in examples:  # PNG is lossless: the pixels come back as written
        np.testing.assert_array_equal(image.numpy(), images[int(label)])


def test_input_pipelines_get_disjoint_shards(shards):
    files = sharded.list_shards(sharded.shard_glob(shards[0]))
    seen = []
    for pipeline in range(2):
        context = tf.distribute.InputContext(2, pipeline, 2)
        seen.append(set(_labels(sharded.read_sharded(files, input_context=context))))
    assert not seen[0] & seen[1]
    assert seen[0] | seen[1] == set(range(N))
    # Shard i holds records i, i + 4, ...: pipeline 0 reads shards 0 and 2.
    assert seen[0] == {i for i in range(N) if i % SHARDS in (0, 2)}
    with pytest.raises(DataError, match=r"Received: 4 TFRecord shard\(s\) for 5 input pipelines"):
        sharded.shard_files(files, tf.distribute.InputContext(5, 0, 5))


def test_deterministic_order_is_reproducible(shards):
    files = sharded.list_shards(sharded.shard_glob(shards[0]))

    def order(seed):
        return _labels(sharded.read_sharded(files, cycle_length=2, shuffle_files_seed=seed))

    assert order(None) == order(None) == [0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21] + [
        2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22,
    ]  # fmt: skip
    assert order(7) == order(7) and sorted(order(7)) == list(range(N))


def test_glob_and_missing_shards(shards, tmp_path):
    folder = shards[0]
    assert sharded.shard_glob(folder + "/train-0000[01]*") == folder + "/train-0000[01]*"
    assert len(sharded.list_shards(folder + "/train-0000[01]*")) == 2
    with pytest.raises(DataError, match=r"No TFRecord shards match .*--set data.dir="):
        sharded.list_shards(str(tmp_path / "*.tfrecord"))


def test_tfrecord_source_feeds_a_biggan_config(shards):
    overrides = {
        "data.source": "tfrecord",
        "data.dir": shards[0],
        "model.width": 2,
        "train.batch_size": 5,
        "data.tfrecord_label_offset": 10,
    }
    config = ganzoo.get_experiment("imagenet32_biggan", overrides)
    x, y = next(iter(ganzoo.build_dataset(config)))
    assert x.shape == (5, 32, 32, 3) and x.dtype == tf.float32
    assert -1.0 <= float(tf.reduce_min(x)) and float(tf.reduce_max(x)) <= 1.0
    assert set(y.numpy()) <= set(range(10, 10 + N))


def test_tfrecord_source_needs_a_folder():
    with pytest.raises(ConfigError, match=r"data.source=tfrecord needs the shards' folder"):
        ganzoo.get_experiment("imagenet32_biggan", {"data.source": "tfrecord"})


def test_write_shards_checks_its_arguments(tmp_path):
    with pytest.raises(ValueError, match="Expected as many labels as images"):
        sharded.write_shards(str(tmp_path), np.zeros((2, 4, 4, 3)), [0], 1)


def test_imagenet2012_without_manual_dir_is_one_clear_paragraph(tmp_path):
    with pytest.raises(DataError) as info:
        tfds_lib.load_tfds("imagenet2012", data_dir=str(tmp_path), with_labels=True)
    text = str(info.value)
    assert "\n" not in text and "data.manual_dir is empty" in text
    assert "ILSVRC2012_img_train.tar" in text and "--set data.manual_dir=DIR" in text
    with pytest.raises(DataError, match=r"data.manual_dir='/nonexistent/x' is not a folder"):
        tfds_lib.load_tfds("imagenet2012", data_dir=str(tmp_path), manual_dir="/nonexistent/x")
