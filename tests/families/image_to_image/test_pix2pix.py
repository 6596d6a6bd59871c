"""The Pix2Pix step: the content term falls, the known pixels are kept, config round trip."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo.errors import ConfigError
from ganzoo.families.image_to_image import data as paired
from ganzoo.families.image_to_image.gan import Pix2Pix, content_loss
from ganzoo.families.image_to_image.models import pix2pix_models, srgan_models


def smooth_images(n, size, channels, seed=0):
    """Low-frequency images in [-1, 1]: a 4x4 random field, bilinearly enlarged."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(-1, 1, (n, 4, 4, channels)).astype("float32")
    return tf.image.resize(coarse, [size, size], "bilinear").numpy()


def compiled(gan):
    gan.compile(
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
        jit_compile=False,
    )
    return gan


def test_content_loss_against_numpy():
    a = np.random.default_rng(0).normal(size=(2, 4, 4, 1)).astype("float32")
    b = np.random.default_rng(1).normal(size=(2, 4, 4, 1)).astype("float32")
    assert np.isclose(content_loss("l1", a, b), np.abs(a - b).mean(), rtol=1e-6)
    assert np.isclose(content_loss("mse", a, b), ((a - b) ** 2).mean(), rtol=1e-6)
    with pytest.raises(ConfigError, match="content_loss='l2'"):
        content_loss("l2", a, b)


def test_pix2pix_inpainting_steps_lower_the_l1_term_and_keep_known_pixels():
    keras.utils.set_random_seed(0)
    targets = smooth_images(16, 16, 1)
    mask = np.tile(paired.center_mask(16, 0.25)[None], (16, 1, 1, 1))
    inputs = paired.inpaint_inputs(targets, mask).numpy()
    g, d = pix2pix_models((16, 16, 2), 16, 1, width=8, dropout=0.0)
    gan = compiled(Pix2Pix(g, d, task="inpaint", seed=0))
    ds = tf.data.Dataset.from_tensor_slices((targets, inputs)).batch(8).repeat()
    history = gan.fit(ds, epochs=6, steps_per_epoch=5, verbose=0).history
    l1 = history["g_content"]
    assert l1[-1] < 0.6 * l1[0], l1
    assert {"d_loss", "g_loss", "g_content", "d_real_acc"} <= set(history)
    out = gan.translate(inputs)
    known = mask[..., 0] == 0
    np.testing.assert_allclose(out[known], targets[known], atol=1e-6)
    # D judged the condition beside the image: 2 + 1 channels
    assert gan.discriminator.input_shape == (None, 16, 16, 3)


def test_srgan_steps_lower_the_mse_term_with_an_unconditional_d():
    keras.utils.set_random_seed(1)
    targets = smooth_images(16, 16, 1, seed=1)
    inputs = paired.downsample(targets, 4).numpy()
    g, d = srgan_models((4, 4, 1), 16, 1, width=8, scale=4, res_blocks=1)
    gan = Pix2Pix(
        g,
        d,
        task="sr",
        content_loss="mse",
        content_weight=1.0,
        adv_weight=1e-3,
        condition_discriminator=False,
        seed=0,
    )
    gan = compiled(gan)
    ds = tf.data.Dataset.from_tensor_slices((targets, inputs)).batch(8).repeat()
    mse = gan.fit(ds, epochs=6, steps_per_epoch=5, verbose=0).history["g_content"]
    assert mse[-1] < 0.5 * mse[0], mse
    assert gan.translate(inputs).shape == (16, 16, 16, 1)


def test_pix2pix_errors_and_config_round_trip():
    g, d = pix2pix_models((8, 8, 1), 8, 3, width=4)
    gan = Pix2Pix(g, d, task="colorize", content_weight=10.0, seed=3)
    with pytest.raises(
        ValueError, match=r"inputs of shape \(2, 8, 8, 3\). Expected \[N, 8, 8, 1\]"
    ):
        gan.translate(np.zeros((2, 8, 8, 3)))
    with pytest.raises(ValueError, match="no inputs and no sample pairs"):
        gan.generate(2)
    with pytest.raises(ConfigError, match="task='denoise'"):
        Pix2Pix(g, d, task="denoise")
    with pytest.raises(ConfigError, match="Expected the pairs"):
        compiled(gan).train_step(tf.zeros((2, 8, 8, 3)))
    again = Pix2Pix.from_config(gan.get_config())
    assert (again.task, again.content_weight, again.seed) == ("colorize", 10.0, 3)
    gan.set_sample_pairs(np.zeros((3, 8, 8, 3)), np.zeros((3, 8, 8, 1)))
    assert gan.generate(5).shape == (5, 8, 8, 3)
    picture = gan.sample_picture(cols=8)
    # 3 examples x (input|output|target), each 8x8 image drawn x11 (88 px), 2 px apart.
    assert picture.shape == (2 + 90, 2 + 9 * 90, 3)
