"""config -> tf.data.Dataset: pick the source (`data.source`), shape examples for the model, batch.

Each source yields raw examples (images as stored, or 2-D points); one shared tail makes them
model-ready: take, cache, shuffle, repeat, batch, prefetch.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tensorflow as tf

from ganzoo.config import Config
from ganzoo.data import idx, sharded, synthetic
from ganzoo.data.image_folder import load_image_folder
from ganzoo.data.tfds import load_tfds
from ganzoo.data.transforms import to_model_image
from ganzoo.errors import ConfigError, DataError, MissingPackageError
from ganzoo.registry import unknown_name_message

# A source: (config, with_labels) -> unbatched dataset of images, or of (images, int32 labels).
Source = Callable[[Config, bool], tf.data.Dataset]


def _from_arrays(
    x: np.ndarray, labels: np.ndarray, with_labels: bool, limit: int, what: str
) -> tf.data.Dataset:
    # Slicing before from_tensor_slices keeps unused examples out of the graph.
    if limit:
        x, labels = x[:limit], labels[:limit]
    if not len(x):
        # An empty source would make repeat() spin forever instead of failing.
        raise DataError(f"Received: {what} with no examples. Expected at least one.")
    if with_labels:
        return tf.data.Dataset.from_tensor_slices((x, labels.astype(np.int32)))
    return tf.data.Dataset.from_tensor_slices(x)


def _idx_dir(config: Config) -> str | None:
    return config.data.dir or idx.find_idx_dir(config.data.name, config.data.split)


def _idx_source(config: Config, with_labels: bool) -> tf.data.Dataset:
    directory = _idx_dir(config)
    if directory is None:
        searched = ", ".join(idx.idx_search_dirs(config.data.name))
        debian = (
            "`apt-get install dataset-fashion-mnist`, or "
            if config.data.name == "fashion_mnist"
            else ""
        )
        message = (
            f"No IDX files for {config.data.name!r} (split {config.data.split!r}): data.dir is "
            f"empty and none were found in {searched}. To provide them: {debian}put the "
            f"train-/t10k- images-idx3-ubyte[.gz] and labels-idx1-ubyte[.gz] files in DIR and "
            f"--set data.dir=DIR (or point ${idx.IDX_DIR_ENV} at a folder holding DIR/"
            f"{config.data.name})."
        )
        if debian:
            raise MissingPackageError(message, package="dataset-fashion-mnist")
        raise DataError(message)
    images, labels = idx.load_idx_split(directory, config.data.split)
    what = f"IDX files in {directory} (split {config.data.split!r})"
    return _from_arrays(images[..., None], labels, with_labels, config.data.max_examples, what)


def _tfds_source(config: Config, with_labels: bool) -> tf.data.Dataset:
    data = config.data
    return load_tfds(
        data.name,
        split=data.split,
        data_dir=data.data_dir,
        image_key=data.image_key,
        label_key=data.label_key,
        download=data.download,
        manual_dir=data.manual_dir,
        with_labels=with_labels,
        seed=config.seed,
    )


def _folder_dir(config: Config) -> str:
    if not config.data.dir:
        raise ConfigError(
            "Received: data.dir=''. data.source=folder needs a folder of images: "
            "--set data.dir=/path/to/images"
        )
    return config.data.dir


def _folder_source(config: Config, with_labels: bool) -> tf.data.Dataset:
    return load_image_folder(_folder_dir(config), with_labels=with_labels)


def _prepared_folder_source(config: Config, with_labels: bool) -> tf.data.Dataset:
    resolution, channels = config.model.resolution, config.model.channels
    return load_image_folder(
        _folder_dir(config),
        with_labels=with_labels,
        prepare=lambda image: to_model_image(image, resolution, channels),
    )


def _synthetic_source(config: Config, with_labels: bool) -> tf.data.Dataset:
    # The mode index is the label: it lets conditional models and mode metrics use it.
    points, modes = synthetic.sample_synthetic_with_modes(
        config.data.name, config.data.synthetic_size, config.seed
    )
    what = f"data.synthetic_size={config.data.synthetic_size}"
    return _from_arrays(points, modes, with_labels, config.data.max_examples, what)


def _auto_source(config: Config, with_labels: bool) -> tf.data.Dataset:
    directory = _idx_dir(config)
    if directory and idx.idx_files(directory, config.data.split):
        return _idx_source(config, with_labels)
    return _tfds_source(config, with_labels)


SOURCES: dict[str, Source] = {
    "tfds": _tfds_source,
    "idx": _idx_source,
    "folder": _folder_source,
    "synthetic": _synthetic_source,
    "auto": _auto_source,
    "tfrecord": sharded.tfrecord_source,
}

# Sources that yield model-ready examples, and their example shapes.
READY_SOURCES: dict[str, Callable[[Config], tuple[int, ...]]] = {
    "synthetic": lambda config: (2,),
}


def register_source(
    name: str, source: Source, example_shape: Callable[[Config], tuple[int, ...]] | None = None
) -> None:
    """Adds a data source (a family's own data: text, audio clips). `example_shape`, when
    given, marks its examples model-ready (no image preparation) and gives their shape."""
    if name in SOURCES and SOURCES[name] is not source:
        raise ValueError(f"data source {name!r} is already registered.")
    SOURCES[name] = source
    if example_shape is not None:
        READY_SOURCES[name] = example_shape


# Image sources with a variant that brings its images to the model's shape in its own decoding
# map (`to_model_image`): build_dataset uses it instead of a second map per image, which cost
# 14-27% of a cold pass's CPU on small files (docs/performance.md). SOURCES stay raw: other
# readers (unpaired domains, video pools) prepare the images their own way.
PREPARED_IMAGE_SOURCES: dict[str, Source] = {"folder": _prepared_folder_source}


def _is_image_source(config: Config) -> bool:
    return config.data.source not in READY_SOURCES


def example_shape(config: Config) -> tuple[int, ...]:
    """The shape of one example `build_dataset` yields: (2,) for synthetic, (seq_len, vocab
    size) for text, (T, 1) for audio, else H, W, C. (A family that builds its examples from
    these, such as video clips, says its own: `ganzoo.family.Family.example_shape`.)"""
    if not _is_image_source(config):
        return READY_SOURCES[config.data.source](config)
    return (config.model.resolution, config.model.resolution, config.model.channels)


def check_config(config: Config) -> None:
    """ConfigError for data settings that are wrong before any data is read: validation runs it,
    so a bad one is refused before a run folder is opened, not when its data is built."""
    source = config.data.source
    if source not in SOURCES:
        raise ConfigError(unknown_name_message("data source", source, SOURCES))
    if config.data.max_examples < 0:
        raise ConfigError(
            f"Received: data.max_examples={config.data.max_examples}. Expected 0 (all) or more."
        )
    if source == "synthetic":
        synthetic.check_name(config.data.name)


def build_dataset(
    config: Config, *, with_labels: bool = False, repeat: bool = True
) -> tf.data.Dataset:
    """Batches for training: float32 [B, H, W, C] in [-1, 1] (or [B, 2] points for synthetic),
    with int32 labels [B] when `with_labels`. Batches are full (drop_remainder=True)."""
    check_config(config)
    source = config.data.source
    prepared = PREPARED_IMAGE_SOURCES.get(source)
    ds = (prepared or SOURCES[source])(config, with_labels)
    # Array sources are already cut; take() is a no-op for them and cuts the streaming ones.
    if config.data.max_examples:
        ds = ds.take(config.data.max_examples)
    if _is_image_source(config) and prepared is None:
        resolution, channels = config.model.resolution, config.model.channels

        def prepare(image: tf.Tensor) -> tf.Tensor:
            return to_model_image(image, resolution, channels)

        ds = ds.map(
            (lambda x, y: (prepare(x), y)) if with_labels else prepare,
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    # Cache after preparing: decoding and resizing happen once, not every epoch.
    if config.data.cache:
        ds = ds.cache()
    if config.data.shuffle_buffer > 1:
        ds = ds.shuffle(config.data.shuffle_buffer, seed=config.seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    ds = ds.batch(config.train.batch_size, drop_remainder=True)
    return ds.prefetch(tf.data.AUTOTUNE)
