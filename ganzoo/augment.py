"""DiffAugment (Zhao et al. 2020): differentiable augmentations applied to every D input.

Each transform is differentiable in the images, so the generator is trained through it. The
same policy is applied to real and generated images, in the D and the G steps. The transforms
follow the authors' TensorFlow code (github.com/mit-han-lab/data-efficient-gans), with random
numbers from a keras SeedGenerator and masks instead of scatter ops, so they compile with XLA.
Images are NHWC in [-1, 1].
"""

from __future__ import annotations

import keras
import tensorflow as tf

from ganzoo.errors import ConfigError
from ganzoo.registry import unknown_name_message


def _uniform(batch, seed, low=0.0, high=1.0):
    return keras.random.uniform([batch, 1, 1, 1], minval=low, maxval=high, seed=seed)


def brightness(x, seed=None):
    """x + b, one b ~ U[-0.5, 0.5) per image."""
    return x + _uniform(tf.shape(x)[0], seed, -0.5, 0.5)


def saturation(x, seed=None):
    """(x - m) s + m, m the per-pixel channel mean, one s ~ U[0, 2) per image."""
    mean = tf.reduce_mean(x, axis=3, keepdims=True)
    return (x - mean) * _uniform(tf.shape(x)[0], seed, 0.0, 2.0) + mean


def contrast(x, seed=None):
    """(x - m) c + m, m the image's mean, one c ~ U[0.5, 1.5) per image."""
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    return (x - mean) * _uniform(tf.shape(x)[0], seed, 0.5, 1.5) + mean


def _shift(x, shift, axis):
    # out[i] = x[i + shift] along `axis` (1 or 2), zero where i + shift falls outside.
    size = tf.shape(x)[axis]
    padding = [[0, 0]] * 4
    padding[axis] = [1, 1]
    padded = tf.pad(x, padding)
    index = tf.clip_by_value(tf.range(size)[None, :] + shift[:, None] + 1, 0, size + 1)
    return tf.gather(padded, index, axis=axis, batch_dims=1)


def translation(x, seed=None, ratio=0.125):
    """Shifts each image by integers (dy, dx), |d| <= round(ratio * side), zero fill."""
    batch, height, width = tf.shape(x)[0], tf.shape(x)[1], tf.shape(x)[2]
    max_dy = tf.cast(tf.cast(height, tf.float32) * ratio + 0.5, tf.int32)
    max_dx = tf.cast(tf.cast(width, tf.float32) * ratio + 0.5, tf.int32)
    dy = keras.random.randint([batch], -max_dy, max_dy + 1, seed=seed, dtype="int32")
    dx = keras.random.randint([batch], -max_dx, max_dx + 1, seed=seed, dtype="int32")
    return _shift(_shift(x, dy, axis=1), dx, axis=2)


def cutout(x, seed=None, ratio=0.5):
    """Zeroes one square of side round(ratio * side) per image, its centre uniform over the
    image (so it may be clipped by the border)."""
    batch, height, width = tf.shape(x)[0], tf.shape(x)[1], tf.shape(x)[2]
    cut_h = tf.cast(tf.cast(height, tf.float32) * ratio + 0.5, tf.int32)
    cut_w = tf.cast(tf.cast(width, tf.float32) * ratio + 0.5, tf.int32)
    cy = keras.random.randint([batch], 0, height + (1 - cut_h % 2), seed=seed, dtype="int32")
    cx = keras.random.randint([batch], 0, width + (1 - cut_w % 2), seed=seed, dtype="int32")
    top, left = cy - cut_h // 2, cx - cut_w // 2
    rows = tf.range(height)[None, :]
    cols = tf.range(width)[None, :]
    in_rows = (rows >= top[:, None]) & (rows < top[:, None] + cut_h)  # [B, H]
    in_cols = (cols >= left[:, None]) & (cols < left[:, None] + cut_w)  # [B, W]
    inside = in_rows[:, :, None] & in_cols[:, None, :]
    return x * tf.cast(~inside, x.dtype)[..., None]


# Policy word -> transforms, in the authors' order.
POLICIES = {
    "color": (brightness, saturation, contrast),
    "translation": (translation,),
    "cutout": (cutout,),
}


def parse_policy(policy: str) -> tuple[str, ...]:
    """ "color,translation,cutout" -> ("color", "translation", "cutout"); "" -> ()."""
    names = tuple(p.strip() for p in policy.split(",") if p.strip())
    for name in names:
        if name not in POLICIES:
            raise ConfigError(
                unknown_name_message("DiffAugment policy", name, POLICIES)
                + f" Received: diff_augment={policy!r}."
            )
    return names


def check_images(shape, policy: str) -> None:
    """ConfigError unless `shape` ([batch,] H, W, C, batch axis included) is an image batch."""
    shape = tuple(shape)
    if len(shape) != 4:
        raise ConfigError(
            f"Received: diff_augment={policy!r} for discriminator inputs of shape {shape}. "
            "DiffAugment transforms images [batch, height, width, channels]; set "
            "stabilizers.diff_augment='' for other data."
        )


def diff_augment(x, policy: str | tuple[str, ...], seed=None):
    """Applies the transforms of `policy` (a string or parsed tuple) to the NHWC batch `x`."""
    names = parse_policy(policy) if isinstance(policy, str) else tuple(policy)
    if names:
        check_images(x.shape, ",".join(names))
    for name in names:
        for transform in POLICIES[name]:
            x = transform(x, seed=seed)
    return x
