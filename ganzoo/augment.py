"""DiffAugment (Zhao et al. 2020): differentiable augmentations applied to every D input; and
adaptive discriminator augmentation (ADA, Karras et al. 2020), the same transforms each applied
with a probability p that training adjusts.

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


def parse_policy(policy: str, key: str = "diff_augment") -> tuple[str, ...]:
    """ "color,translation,cutout" -> ("color", "translation", "cutout"); "" -> (). `key`
    names the setting in the error message."""
    names = tuple(p.strip() for p in policy.split(",") if p.strip())
    for name in names:
        if name not in POLICIES:
            raise ConfigError(
                unknown_name_message("augmentation policy", name, POLICIES)
                + f" Received: {key}={policy!r}."
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


def adaptive_augment(x, policy: str | tuple[str, ...], p, seed=None):
    """ADA's pipeline on the NHWC batch `x`: each transform T of `policy`, in order, replaces
    x_i by T(x_i) with probability p, drawn independently per example and per transform.

    x_i <- T(x_i) if u_i < p else x_i,   u_i ~ U[0, 1)

    p = 0 returns `x` unchanged, p = 1 is `diff_augment`. Every transform is computed on the
    whole batch and selected per example, so the graph is the same for every p (XLA).
    """
    names = parse_policy(policy) if isinstance(policy, str) else tuple(policy)
    if names:
        check_images(x.shape, ",".join(names))
    p = tf.cast(p, tf.float32)
    for name in names:
        for transform in POLICIES[name]:
            chosen = _uniform(tf.shape(x)[0], seed) < p  # [B, 1, 1, 1]
            x = tf.where(chosen, transform(x, seed=seed), x)
    return x


def ada_adjust(p, rt, target: float, images, kimg: float):
    """ADA's update of p after an interval in which D saw `images` real images:

    p' = clip(p + sign(r_t - target) * images / (1000 kimg), 0, 1)

    r_t = E[sign(D(x_real))] over the interval: near 1 when D is confidently right on every real
    image (it overfits), so p rises; below the target, p falls. `kimg` is the speed: p can go
    from 0 to 1 in kimg thousand images.
    """
    step = tf.cast(images, tf.float32) / (1000.0 * float(kimg))
    delta = tf.sign(tf.cast(rt, tf.float32) - float(target)) * step
    return tf.clip_by_value(tf.cast(p, tf.float32) + delta, 0.0, 1.0)


def check_ada(
    target, interval, kimg, policy: str, diff_augment: str = "", prefix: str = ""
) -> tuple[str, ...]:
    """The parsed ADA policy (() when ADA is off, target 0), or ConfigError for settings that
    cannot work. `prefix` ("stabilizers.") names the keys as the config does."""
    if target == 0:
        return ()
    if not 0 < target < 1:
        raise ConfigError(
            f"Received: {prefix}ada_target={target!r}. Expected 0 (off) or a value in (0, 1): "
            "the E[sign(D(x_real))] that p is adjusted towards (0.6 in the paper)."
        )
    if int(interval) != interval or interval < 1:
        raise ConfigError(
            f"Received: {prefix}ada_interval={interval!r}. Expected an integer >= 1 (steps "
            "between adjustments of p; 4 in the paper)."
        )
    if not kimg > 0:
        raise ConfigError(
            f"Received: {prefix}ada_kimg={kimg!r}. Expected a value > 0 (thousands of images "
            "in which p can go from 0 to 1)."
        )
    if diff_augment:
        raise ConfigError(
            f"Received: {prefix}ada_target={target} with {prefix}diff_augment="
            f"{diff_augment!r}. Expected one of them: ADA applies the same transforms with an "
            f"adaptive probability (set {prefix}ada_policy; at p = 1 it is DiffAugment)."
        )
    names = parse_policy(policy, f"{prefix}ada_policy")
    if not names:
        raise ConfigError(
            f"Received: {prefix}ada_policy={policy!r} with {prefix}ada_target={target}. "
            f"Expected transforms to apply, e.g. 'color,translation,cutout' ({', '.join(POLICIES)})."
        )
    return names
