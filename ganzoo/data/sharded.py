"""Sharded TFRecords: shards listed by glob, split per input pipeline under tf.distribute,
read in parallel (interleave; deterministic or not), parsed and decoded to (image, label).

Records follow the common ImageNet TFRecord layout: `image/encoded` (JPEG or PNG bytes) and
`image/class/label` (int64); the keys and a label offset (the TF-slim converter writes labels
1..1000: offset -1) are `data.tfrecord_*` settings.
"""

from __future__ import annotations

import glob as glob_lib
import os

import numpy as np
import tensorflow as tf

from ganzoo.errors import ConfigError, DataError

DEFAULT_PATTERN = "*.tfrecord*"
IMAGE_KEY = "image/encoded"
LABEL_KEY = "image/class/label"


def shard_glob(location: str, pattern: str = DEFAULT_PATTERN) -> str:
    """`location` itself when it is a glob (has * ? or [), else `location`/`pattern`."""
    if any(c in location for c in "*?["):
        return location
    return os.path.join(location, pattern)


def list_shards(pattern: str) -> list[str]:
    """The sorted files matching `pattern` (sorted: every worker sees the same order, so
    sharding by index splits them the same way everywhere). DataError when none match."""
    files = sorted(f for f in glob_lib.glob(pattern) if os.path.isfile(f))
    if not files:
        raise DataError(
            f"No TFRecord shards match {pattern!r}. Expected files such as "
            f"train-00000-of-01024.tfrecord: --set data.dir=/path/to/shards (searched with "
            f"data.tfrecord_pattern) or --set data.dir='/path/to/train-*'."
        )
    return files


def shard_files(files, input_context: tf.distribute.InputContext | None = None):
    """A dataset of file names: all of `files`, or, with an `input_context` of n > 1 input
    pipelines, every n-th file from the pipeline's id on (the pipelines' files are disjoint
    and together all of them)."""
    ds = tf.data.Dataset.from_tensor_slices(list(files))
    if input_context is not None and input_context.num_input_pipelines > 1:
        n = input_context.num_input_pipelines
        if len(files) < n:
            raise DataError(
                f"Received: {len(files)} TFRecord shard(s) for {n} input pipelines. Expected "
                "at least one shard per pipeline (write more, smaller shards)."
            )
        ds = ds.shard(n, input_context.input_pipeline_id)
    return ds


def parse_function(image_key: str = IMAGE_KEY, label_key: str = LABEL_KEY, label_offset=0):
    """serialized tf.train.Example -> (image uint8 [H, W, C] as stored, int32 label + offset)."""
    spec = {
        image_key: tf.io.FixedLenFeature([], tf.string),
        label_key: tf.io.FixedLenFeature([], tf.int64, default_value=-1),
    }

    def parse(serialized):
        example = tf.io.parse_single_example(serialized, spec)
        image = tf.io.decode_image(example[image_key], expand_animations=False)
        image = tf.ensure_shape(image, [None, None, None])
        return image, tf.cast(example[label_key], tf.int32) + label_offset

    return parse


def read_sharded(
    files,
    *,
    input_context: tf.distribute.InputContext | None = None,
    deterministic: bool = True,
    cycle_length: int = 0,
    shuffle_files_seed: int | None = None,
    image_key: str = IMAGE_KEY,
    label_key: str = LABEL_KEY,
    label_offset: int = 0,
) -> tf.data.Dataset:
    """(image, label) examples of `files` (this input pipeline's share of them).

    Shards are read `cycle_length` at a time (0: tf.data's choice, the number of cores)
    with parallel reads and parallel decoding. `deterministic=True` fixes the order of
    examples for a given file order (reproducible runs); False lets a slow read be
    overtaken (faster when reads stall). `shuffle_files_seed` shuffles this pipeline's files
    each epoch (after sharding, so pipelines stay disjoint).
    """
    ds = shard_files(files, input_context)
    if shuffle_files_seed is not None:
        ds = ds.shuffle(len(files), seed=shuffle_files_seed, reshuffle_each_iteration=True)
    ds = ds.interleave(
        tf.data.TFRecordDataset,
        cycle_length=cycle_length or tf.data.AUTOTUNE,
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=deterministic,
    )
    return ds.map(
        parse_function(image_key, label_key, label_offset),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=deterministic,
    )


def _example(encoded: bytes, label: int) -> bytes:
    feature = {
        IMAGE_KEY: tf.train.Feature(bytes_list=tf.train.BytesList(value=[encoded])),
        LABEL_KEY: tf.train.Feature(int64_list=tf.train.Int64List(value=[int(label)])),
    }
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()


def write_shards(
    directory: str, images, labels, num_shards: int, *, prefix: str = "train", fmt: str = "png"
) -> list[str]:
    """Writes uint8 `images` [N, H, W, C] and int `labels` [N] as `num_shards` TFRecord files
    `prefix-0000i-of-0000n.tfrecord` (example i in shard i mod n), images encoded as PNG
    (lossless) or JPEG. Returns the paths. For tests, benchmarks and small own datasets."""
    if fmt not in ("png", "jpeg"):
        raise ValueError(f"Received: fmt={fmt!r}. Expected 'png' or 'jpeg'.")
    images, labels = np.asarray(images, np.uint8), np.asarray(labels)
    if num_shards < 1 or len(images) != len(labels):
        raise ValueError(
            f"Received: {len(images)} images, {len(labels)} labels, num_shards={num_shards}. "
            "Expected as many labels as images and num_shards >= 1."
        )
    os.makedirs(directory, exist_ok=True)
    encode = tf.io.encode_png if fmt == "png" else tf.io.encode_jpeg
    paths = [
        os.path.join(directory, f"{prefix}-{i:05d}-of-{num_shards:05d}.tfrecord")
        for i in range(num_shards)
    ]
    writers = [tf.io.TFRecordWriter(p) for p in paths]
    try:
        for i, (image, label) in enumerate(zip(images, labels, strict=True)):
            writers[i % num_shards].write(_example(encode(image).numpy(), label))
    finally:
        for w in writers:
            w.close()
    return paths


def _read(config, input_context=None, seed=None) -> tf.data.Dataset:
    s = config.data
    files = list_shards(shard_glob(config.data.dir, s.tfrecord_pattern))
    return read_sharded(
        files,
        input_context=input_context,
        deterministic=s.tfrecord_deterministic,
        cycle_length=s.tfrecord_cycle_length,
        shuffle_files_seed=seed,
        image_key=s.tfrecord_image_key,
        label_key=s.tfrecord_label_key,
        label_offset=s.tfrecord_label_offset,
    )


def tfrecord_source(config, with_labels: bool) -> tf.data.Dataset:
    """data.source=tfrecord: the unbatched examples of data.dir's shards (images, or
    (images, labels)). Files are shuffled per epoch with the config's seed."""
    ds = _read(config, seed=config.seed)
    return ds if with_labels else ds.map(lambda x, y: x)


def distributed_dataset(config, strategy: tf.distribute.Strategy, *, with_labels: bool = True):
    """The tf.distribute input path: `strategy.distribute_datasets_from_function`, one input
    pipeline per worker reading its own shards (InputContext), batches of
    train.batch_size / replicas per replica, model-ready (float32 images in [-1, 1]).
    `gan.fit` takes it (with steps_per_epoch); so does a custom loop."""
    from ganzoo.data.transforms import to_model_image

    m, global_batch = config.model, config.train.batch_size

    def dataset_fn(context: tf.distribute.InputContext) -> tf.data.Dataset:
        seed = config.seed + context.input_pipeline_id
        ds = _read(config, input_context=context, seed=seed)

        def prepare(x, y):
            return to_model_image(x, m.resolution, m.channels), y

        ds = ds.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)
        if not with_labels:
            ds = ds.map(lambda x, y: x)
        if config.data.shuffle_buffer > 1:
            ds = ds.shuffle(config.data.shuffle_buffer, seed=seed)
        ds = ds.repeat().batch(
            context.get_per_replica_batch_size(global_batch), drop_remainder=True
        )
        return ds.prefetch(tf.data.AUTOTUNE)

    return strategy.distribute_datasets_from_function(dataset_fn)


def check_config(config) -> None:
    """ConfigError for data.source=tfrecord without data.dir or bad reader settings."""
    s = config.data
    if s.tfrecord_cycle_length < 0:
        raise ConfigError(
            f"Received: data.tfrecord_cycle_length={s.tfrecord_cycle_length}. Expected 0 "
            "(tf.data's choice) or a number of shards read at once."
        )
    if config.data.source == "tfrecord" and not config.data.dir:
        raise ConfigError(
            "Received: data.dir=''. data.source=tfrecord needs the shards' folder or a glob: "
            "--set data.dir=/path/to/shards or --set data.dir='/path/to/train-*'."
        )
