"""Shared image ops: channel conversion, shorter-side resize + centre crop, [-1, 1] range."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from ganzoo.data import transforms


@pytest.mark.parametrize("source_channels", [1, 2, 3, 4])
@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("static", [True, False])
def test_to_channels(source_channels, channels, static):
    image = np.random.default_rng(0).uniform(size=(5, 6, source_channels)).astype(np.float32)
    if static:
        out = transforms.to_channels(tf.constant(image), channels)
    else:  # channels only known at run time, as after tf.io.decode_image
        fn = tf.function(
            lambda x: transforms.to_channels(x, channels),
            input_signature=[tf.TensorSpec([None, None, None], tf.float32)],
        )
        out = fn(image)
    assert out.shape == (5, 6, channels)
    color = image[..., :3] if source_channels >= 3 else image[..., :1]
    if color.shape[-1] == channels:
        expected = color
    elif channels == 3:
        expected = np.repeat(color, 3, axis=-1)
    else:
        expected = tf.image.rgb_to_grayscale(color).numpy()
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


def test_fit_square_resizes_shorter_side_then_centre_crops():
    # A 20x40 image: left half 0, right half 1 -> after fitting to 10x10 the centre is kept.
    image = np.zeros((20, 40, 1), np.float32)
    image[:, 20:] = 1.0
    out = transforms.fit_square(tf.constant(image), 10).numpy()
    assert out.shape == (10, 10, 1)
    np.testing.assert_allclose(out[:, :4], 0.0, atol=1e-6)
    np.testing.assert_allclose(out[:, 6:], 1.0, atol=1e-6)


def test_fit_square_keeps_right_sized_images():
    image = tf.random.uniform((8, 8, 3))
    np.testing.assert_array_equal(transforms.fit_square(image, 8).numpy(), image.numpy())


def test_to_model_image_range_and_shape():
    image = tf.constant(np.array([[[0], [255]], [[128], [255]]], np.uint8))
    out = transforms.to_model_image(image, 2, 3)
    assert out.dtype == tf.float32 and out.shape == (2, 2, 3)
    np.testing.assert_allclose(
        out.numpy()[..., 0], [[-1.0, 1.0], [128 / 127.5 - 1, 1.0]], atol=1e-6
    )
    big = transforms.to_model_image(tf.zeros((28, 28, 1), tf.uint8) + 255, 32, 1)
    assert big.shape == (32, 32, 1) and float(tf.reduce_min(big)) == pytest.approx(1.0)


def test_fit_square_gives_the_shorter_side_exactly():
    out = transforms.fit_square(tf.zeros((25, 50, 3), tf.uint8), 16)
    assert out.shape == (16, 16, 3) and out.dtype == tf.float32


def test_fit_square_with_run_time_size_skips_only_right_sized_images():
    # After tf.io.decode_image the size is unknown when the graph is built: a right-sized image
    # must come back unchanged (no resize), any other must still be resized and cropped.
    fn = tf.function(
        lambda x: transforms.fit_square(x, 8),
        input_signature=[tf.TensorSpec([None, None, 3], tf.float32)],
    )
    image = tf.random.uniform((8, 8, 3))
    np.testing.assert_array_equal(fn(image).numpy(), image.numpy())
    wide = np.zeros((16, 32, 3), np.float32)
    wide[:, 16:] = 1.0
    out = fn(wide).numpy()
    assert out.shape == (8, 8, 3)
    expected = transforms.fit_square(tf.constant(wide), 8).numpy()
    np.testing.assert_allclose(out, expected, atol=1e-6)
    np.testing.assert_allclose(out[:, :3], 0.0, atol=1e-6)
    assert fn.get_concrete_function().structured_outputs.shape == (8, 8, 3)
