"""Video clips for the video GANs: Moving-(Fashion-)MNIST built on the fly from any image source,
or TFDS `moving_mnist`. Clips are float32 [T, H, W, 1] in [-1, 1].

Built clips (Srivastava et al. 2015's recipe): `video.objects` images of `data.name` (any
`data.source`: Debian's Fashion-MNIST IDX files offline), each resized to `video.object_size`,
move in straight lines at constant speed on a black H x W canvas and bounce off its edges;
overlaps take the brighter pixel. Clip i of a split is a pure function of (seed, split, i), so
runs repeat exactly and a resumed pipeline picks up where it stopped.

TFDS `moving_mnist` (data.name=moving_mnist) has one split, `test`: 10,000 sequences in the
feature `image_sequence`, uint8 [20, 64, 64, 1]; the first T frames are used, resized.
"""

from __future__ import annotations

import zlib

import numpy as np
import tensorflow as tf

from ganzoo.errors import ConfigError, DataError

VIDEO_ARCHS = ("mocogan",)
MOVING_MNIST = "moving_mnist"
MOVING_MNIST_KEY, MOVING_MNIST_FRAMES = "image_sequence", 20


def is_video(config) -> bool:
    """Whether `config` trains a video model (its examples are clips [T, H, W, C])."""
    return config.model.arch in VIDEO_ARCHS


def clip_shape(config) -> tuple[int, int, int, int]:
    r = config.model.resolution
    return (config.video.frames, r, r, config.model.channels)


def object_size(config) -> int:
    """video.object_size, or 0 -> resolution * 28 / 64 (an MNIST digit in Moving MNIST)."""
    size = config.video.object_size
    return int(size) if size else max(4, round(config.model.resolution * 28 / 64))


def split_seed(seed: int, split: str) -> int:
    """The clip seed of a split: different splits get different trajectories."""
    return (int(seed) * 1_000_003 + zlib.crc32(split.encode())) % (2**31 - 1)


def bounce(start, velocity, steps, travel):
    """Positions of a point bouncing between 0 and `travel` (elastic walls):

    p(t) = L - |L - ((p0 + v t) mod 2L)|, t = 0..steps-1, L = travel

    (the triangle wave: the unfolded straight line reflected back into [0, L]). `start` and
    `velocity` broadcast; returns [..., steps].
    """
    t = tf.range(steps, dtype=tf.float32)
    travel = tf.cast(travel, tf.float32)
    line = tf.expand_dims(start, -1) + tf.expand_dims(velocity, -1) * t
    folded = tf.math.floormod(line, 2.0 * tf.maximum(travel, 1e-6))
    return travel - tf.abs(travel - folded)


def trajectories(seed, frames: int, objects: int, travel: int, min_speed, max_speed):
    """Integer top-left corners [objects, frames, 2] (row, col) in [0, travel]: uniform start,
    uniform direction, speed uniform in [min_speed, max_speed] px per frame. `seed`: a stateless
    seed [2]."""
    seeds = tf.random.experimental.stateless_split(seed, num=3)
    start = tf.random.stateless_uniform([objects, 2], seeds[0], 0.0, float(travel))
    angle = tf.random.stateless_uniform([objects], seeds[1], 0.0, 2.0 * np.pi)
    speed = tf.random.stateless_uniform([objects], seeds[2], min_speed, max_speed)
    velocity = tf.stack([speed * tf.sin(angle), speed * tf.cos(angle)], axis=-1)
    path = bounce(start, velocity, frames, travel)  # [objects, 2, frames]
    return tf.cast(tf.round(tf.transpose(path, [0, 2, 1])), tf.int32)


def render(objects, corners, height: int, width: int):
    """Pastes objects [K, s, s] (floats in [0, 1]) at corners [K, T, 2] on a black canvas:
    frames [T, height, width], each pixel the maximum over the objects covering it.

    Placement as a product of one-hot matrices, frame_t = P_y(t) O P_x(t)^T with
    P_y(t)[h, i] = [h == y_t + i], so the whole clip is one einsum (no per-frame loop).
    """
    size = tf.shape(objects)[1]
    offsets = tf.range(size)
    rows = tf.one_hot(corners[..., 0:1] + offsets, height, dtype=objects.dtype)  # [K,T,s,H]
    cols = tf.one_hot(corners[..., 1:2] + offsets, width, dtype=objects.dtype)  # [K,T,s,W]
    canvases = tf.einsum("ktih,kij,ktjw->kthw", rows, objects, cols)
    return tf.reduce_max(canvases, axis=0)


def clip_fn(pool: np.ndarray, config, seed: int):
    """index -> clip [T, R, R, 1] in [-1, 1] from the object images `pool` [N, s, s] uint8."""
    pool_t = tf.constant(pool)
    frames, objects = config.video.frames, config.video.objects
    res = config.model.resolution
    travel = res - pool.shape[1]
    lo, hi = config.video.min_speed * res, config.video.max_speed * res

    def make(index):
        base = tf.stack([tf.constant(seed, tf.int64), tf.cast(index, tf.int64)])
        pick, move = tf.unstack(tf.random.experimental.stateless_split(base, num=2))
        which = tf.random.stateless_uniform([objects], pick, 0, len(pool), dtype=tf.int32)
        images = tf.cast(tf.gather(pool_t, which), tf.float32) / 255.0
        corners = trajectories(move, frames, objects, travel, lo, hi)
        clip = render(images, corners, res, res)
        return tf.expand_dims(clip * 2.0 - 1.0, -1)

    return make


_POOLS: dict = {}  # (data settings, split, size) -> pool: training and evaluation load each once


def object_pool(config, split: str) -> np.ndarray:
    """The object images of `split`: uint8 [N, s, s] (grayscale, resized to object_size)."""
    d = config.data
    key = (d.source, d.name, d.dir, d.data_dir, d.max_examples, split, object_size(config))
    if key not in _POOLS or d.source == "tfds":  # TFDS may be mocked in tests: never cached
        if len(_POOLS) >= 2:  # a train and an eval split at most: bounded memory
            _POOLS.clear()
        _POOLS[key] = _load_pool(config, split)
    return _POOLS[key]


def _load_pool(config, split: str) -> np.ndarray:
    from ganzoo.config import apply_overrides
    from ganzoo.data.pipeline import SOURCES

    cfg = apply_overrides(config, {"data.split": split})
    ds = SOURCES[cfg.data.source](cfg, False)
    if config.data.max_examples:
        ds = ds.take(config.data.max_examples)
    size = object_size(config)

    def gray(image):  # a tensor per image: sources may yield images of different sizes
        image = tf.convert_to_tensor(image)
        if image.shape[-1] == 3:
            image = tf.image.rgb_to_grayscale(image)
        if image.dtype != tf.uint8:
            image = tf.image.convert_image_dtype(image, tf.uint8, saturate=True)
        return tf.image.resize(image, (size, size), antialias=True)

    # Stored sources come as equal-size uint8 images: batch first, resize whole batches.
    spec = ds.element_spec
    fixed = spec.shape.is_fully_defined() and spec.dtype == tf.uint8 and spec.shape[-1] == 1
    ds = ds.batch(8192).map(gray) if fixed else ds.map(gray).batch(8192)
    parts = [np.round(np.clip(b, 0, 255)).astype(np.uint8)[..., 0] for b in ds.as_numpy_iterator()]
    pool = np.concatenate(parts) if parts else np.zeros((0, size, size), np.uint8)
    if not len(pool):
        raise DataError(
            f"Received: no images in {config.data.name!r} split {split!r}. Expected at least one "
            "object image to build moving clips from."
        )
    return pool


def built_clips(config, split: str, num: int | None = None) -> tf.data.Dataset:
    """Moving clips of `split`'s images: clip i for i = 0, 1, ...: forever (num None), `num`
    of them, or (num 0) one per object image."""
    pool = object_pool(config, split)
    make = clip_fn(pool, config, split_seed(config.seed, split))
    if num is None:
        indices = tf.data.Dataset.counter()
    else:
        indices = tf.data.Dataset.range(num or len(pool))
    return indices.map(make, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def tfds_clips(config, split: str, num: int | None = None) -> tf.data.Dataset:
    """TFDS moving_mnist sequences of `split`: the first T frames, resized to the resolution."""
    from ganzoo.data import tfds as tfds_lib

    data = config.data
    if data.source != "tfds":
        raise ConfigError(
            f"Received: data.source={data.source!r} with data.name={MOVING_MNIST!r}. Expected "
            "tfds (the sequences come from TFDS), or data.name=mnist to build clips from digits."
        )
    builder = tfds_lib.dataset_builder(MOVING_MNIST, data.data_dir)
    tfds_lib.named_feature(builder, MOVING_MNIST_KEY, "the video feature")
    tfds_lib.prepare(builder, MOVING_MNIST, data.data_dir, data.download)
    try:
        ds = builder.as_dataset(split=split, shuffle_files=False)
    except (ValueError, KeyError) as e:
        raise ConfigError(
            f"Received: split {split!r} for TFDS {MOVING_MNIST!r} ({e}). Its only split is "
            "'test' (slice it, e.g. test[:90%] and test[90%:])."
        ) from e
    frames, res = config.video.frames, config.model.resolution

    def prepare(example):
        clip = tf.image.convert_image_dtype(example[MOVING_MNIST_KEY][:frames], tf.float32)
        clip = tf.image.resize(clip, (res, res), antialias=True)
        return tf.clip_by_value(clip, 0.0, 1.0) * 2.0 - 1.0

    ds = ds.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.take(num) if num else ds


def clips(config, split: str | None = None, num: int | None = None) -> tf.data.Dataset:
    """Unbatched clips [T, R, R, 1] in [-1, 1] of `split` (default data.split): the first `num`;
    num 0: one epoch (TFDS: the split; built: one clip per object image); None: built clips
    forever (TFDS: the split once)."""
    split = split or config.data.split
    if config.data.name == MOVING_MNIST:
        return tfds_clips(config, split, num)
    return built_clips(config, split, num)


def build_video_dataset(config, *, with_labels: bool = False, repeat: bool = True):
    """Training batches [B, T, R, R, 1] of data.split's clips (drop_remainder)."""
    if with_labels:
        raise ConfigError(
            "Received: a labelled dataset request for a video model. Expected none: the video "
            "GANs are unconditional (model.conditioning=none)."
        )
    stored = config.data.name == MOVING_MNIST
    ds = clips(config, num=None if repeat and not stored else 0)
    if stored:  # a finite, stored split: cache, shuffle, repeat
        if config.data.max_examples:
            ds = ds.take(config.data.max_examples)
        if config.data.cache:
            ds = ds.cache()
        if config.data.shuffle_buffer > 1:
            ds = ds.shuffle(config.data.shuffle_buffer, seed=config.seed)
        ds = ds.repeat() if repeat else ds
    ds = ds.batch(config.train.batch_size, drop_remainder=True)
    return ds.prefetch(tf.data.AUTOTUNE)
