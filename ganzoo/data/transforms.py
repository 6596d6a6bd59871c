"""Per-example image ops shared by every image source: channels, square resize, [-1, 1] range."""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def _drop_alpha(image: tf.Tensor) -> tf.Tensor:
    # 2 channels is gray + alpha, 4 is RGB + alpha: keep the colour channels.
    channels = image.shape[-1]
    if channels is not None:
        return image[..., :3] if channels >= 3 else image[..., :1]
    keep = tf.where(tf.shape(image)[-1] >= 3, 3, 1)
    return image[..., :keep]


def to_channels(image: tf.Tensor, channels: int) -> tf.Tensor:
    """[H, W, C] with C in 1..4 -> [H, W, channels] (1 or 3): alpha dropped, gray tiled to RGB,
    RGB to gray with `tf.image.rgb_to_grayscale`. Works when C is only known at run time."""
    if channels not in (1, 3):
        raise ValueError(f"Received: channels={channels}. Expected 1 or 3.")
    image = _drop_alpha(image)
    static = image.shape[-1]
    if static is not None:
        if static == channels:
            return image
        return tf.tile(image, [1, 1, 3]) if channels == 3 else tf.image.rgb_to_grayscale(image)
    is_gray = tf.equal(tf.shape(image)[-1], 1)
    if channels == 3:
        image = tf.cond(is_gray, lambda: tf.tile(image, [1, 1, 3]), lambda: image)
    else:
        # rgb_to_grayscale needs a static last dim of 3; the cond only runs it on RGB input.
        image = tf.cond(
            is_gray,
            lambda: image,
            lambda: tf.image.rgb_to_grayscale(tf.ensure_shape(image, [None, None, 3])),
        )
    return tf.ensure_shape(image, [None, None, channels])


def fit_square(image: tf.Tensor, resolution: int) -> tf.Tensor:
    """Resizes the shorter side to `resolution` (bilinear, antialiased), then centre-crops to
    `resolution` x `resolution`; a no-op when the image already has that size. Returns float32."""
    image = tf.cast(image, tf.float32) if image.dtype != tf.float32 else image
    if tuple(image.shape[:2]) == (resolution, resolution):
        return image
    if image.shape[0] is None or image.shape[1] is None:
        # Size known only at run time (decoded files): skip the resize for images already at
        # the resolution. An antialiased resize to the same size is the identity but not free:
        # it was more than half of a 28x28 folder pipeline's CPU (docs/performance.md).
        height, width = tf.shape(image)[0], tf.shape(image)[1]
        same = tf.logical_and(tf.equal(height, resolution), tf.equal(width, resolution))
        image = tf.cond(same, lambda: image, lambda: _resize_and_crop(image, resolution))
        return tf.ensure_shape(image, [resolution, resolution, image.shape[-1]])
    return _resize_and_crop(image, resolution)


def _resize_and_crop(image: tf.Tensor, resolution: int) -> tf.Tensor:
    height, width = tf.shape(image)[0], tf.shape(image)[1]
    scale = resolution / tf.cast(tf.minimum(height, width), tf.float32)
    # round, not floor: 24.999 must become 25; max() guards the crop against any rounding.
    new_h = tf.maximum(resolution, tf.cast(tf.round(tf.cast(height, tf.float32) * scale), tf.int32))
    new_w = tf.maximum(resolution, tf.cast(tf.round(tf.cast(width, tf.float32) * scale), tf.int32))
    image = tf.image.resize(image, [new_h, new_w], method="bilinear", antialias=True)
    top, left = (new_h - resolution) // 2, (new_w - resolution) // 2
    image = image[top : top + resolution, left : left + resolution]
    return tf.ensure_shape(image, [resolution, resolution, image.shape[-1]])


def to_model_image(image: tf.Tensor, resolution: int, channels: int) -> tf.Tensor:
    """An integer-typed [H, W, C] image -> float32 [resolution, resolution, channels] in [-1, 1]."""
    # convert_image_dtype scales by the dtype's max, so uint16 sources land in [0, 1] too.
    image = tf.image.convert_image_dtype(image, tf.float32)
    image = fit_square(to_channels(image, channels), resolution)
    return tf.clip_by_value(image * 2.0 - 1.0, -1.0, 1.0)


def load_model_image(path: str, resolution: int, channels: int) -> np.ndarray:
    """The image file at `path` as the model sees it: [resolution, resolution, channels] in
    [-1, 1] (`to_model_image`)."""
    image = tf.io.decode_image(tf.io.read_file(path), expand_animations=False)
    return to_model_image(image, resolution, channels).numpy()
