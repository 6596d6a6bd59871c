import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo import augment
from ganzoo.errors import ConfigError
from ganzoo.gan import GAN
from ganzoo.models import mlp

X = np.random.default_rng(0).uniform(-1, 1, size=(6, 8, 8, 3)).astype(np.float32)


def seed(n=0):
    return keras.random.SeedGenerator(n)


def test_parse_policy():
    assert augment.parse_policy("color,translation,cutout") == ("color", "translation", "cutout")
    assert augment.parse_policy(" color , cutout") == ("color", "cutout")
    assert augment.parse_policy("") == ()
    with pytest.raises(ConfigError, match="Did you mean 'translation'.*translaton"):
        augment.parse_policy("color,translaton")


def test_brightness_adds_one_offset_per_image():
    offset = (augment.brightness(tf.constant(X), seed()).numpy() - X).reshape(6, -1)
    np.testing.assert_allclose(offset, offset[:, :1] * np.ones_like(offset), atol=1e-6)
    assert np.all(np.abs(offset) <= 0.5) and np.ptp(offset[:, 0]) > 0


def test_saturation_keeps_each_pixels_channel_mean():
    out = augment.saturation(tf.constant(X), seed()).numpy()
    np.testing.assert_allclose(out.mean(axis=3), X.mean(axis=3), atol=1e-6)
    assert not np.allclose(out, X)


def test_contrast_keeps_each_images_mean_and_scales_deviations():
    out = augment.contrast(tf.constant(X), seed()).numpy()
    mean = X.mean(axis=(1, 2, 3), keepdims=True)
    np.testing.assert_allclose(out.mean(axis=(1, 2, 3), keepdims=True), mean, atol=1e-5)
    factor = ((out - mean) / (X - mean)).reshape(6, -1)
    np.testing.assert_allclose(factor, factor[:, :1] * np.ones_like(factor), rtol=1e-3)
    assert np.all((factor >= 0.5 - 1e-4) & (factor <= 1.5 + 1e-4))


def shifted(image, dy, dx):
    out = np.zeros_like(image)
    h, w = image.shape[:2]
    for i in range(h):
        for j in range(w):
            if 0 <= i + dy < h and 0 <= j + dx < w:
                out[i, j] = image[i + dy, j + dx]
    return out


def test_translation_is_an_integer_shift_with_zero_fill():
    out = augment.translation(tf.constant(X), seed(1)).numpy()
    shifts = []
    for image, moved in zip(X, out, strict=True):
        # round(8 * 0.125) = 1: shifts in {-1, 0, 1} on each axis.
        match = [
            (dy, dx)
            for dy in (-1, 0, 1)
            for dx in (-1, 0, 1)
            if np.array_equal(shifted(image, dy, dx), moved)
        ]
        assert len(match) == 1
        shifts.append(match[0])
    assert len(set(shifts)) > 1


def test_cutout_zeroes_one_square_and_keeps_the_rest():
    out = augment.cutout(tf.constant(X), seed(2)).numpy()
    for image, cut in zip(X, out, strict=True):
        zeroed = np.all(cut == 0, axis=-1)
        rows, cols = np.nonzero(zeroed)
        # A 4x4 square (half of 8), clipped by the border where its centre is near one.
        assert rows.max() - rows.min() + 1 <= 4 and cols.max() - cols.min() + 1 <= 4
        assert zeroed.sum() == (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1)
        np.testing.assert_array_equal(cut[~zeroed], image[~zeroed])
    assert (np.all(out == 0, axis=-1).sum(axis=(1, 2)) == 16).any()


def test_policy_is_differentiable_and_deterministic_in_the_seed():
    x = tf.constant(X)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = augment.diff_augment(x, "color,translation,cutout", seed(5))
        total = tf.reduce_sum(y * y)
    grad = tape.gradient(total, x).numpy()
    assert np.all(np.isfinite(grad)) and np.abs(grad).sum() > 0
    again = augment.diff_augment(x, "color,translation,cutout", seed(5))
    np.testing.assert_array_equal(y.numpy(), again.numpy())


def test_compiles_with_xla():
    generator = seed()
    xla = tf.function(
        lambda x: augment.diff_augment(x, ("color", "translation", "cutout"), generator),
        jit_compile=True,
    )
    first, second = xla(tf.constant(X)), xla(tf.constant(X))
    assert first.shape == X.shape and not np.allclose(first, second)  # the seed state advances


def test_non_image_data_is_refused():
    with pytest.raises(ConfigError, match=r"shape \(4, 2\).*diff_augment=''"):
        augment.diff_augment(tf.zeros((4, 2)), "color")
    with pytest.raises(ConfigError, match=r"diff_augment='color' for discriminator inputs"):
        GAN(mlp.generator(4), mlp.discriminator(), 4, diff_augment="color")
