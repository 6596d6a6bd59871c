"""U-Net, PatchGAN and SRGAN networks: shapes, ranges, PixelShuffle, `.keras` round trips."""

import keras
import numpy as np
import pytest

from ganzoo.errors import ConfigError
from ganzoo.families.image_to_image import models as image_to_image
from ganzoo.families.image_to_image import srgan, unet
from ganzoo.models import patchgan


@pytest.mark.parametrize(
    "input_shape, resolution, channels",
    [((28, 28, 2), 28, 1), ((7, 7, 1), 28, 1), ((16, 16, 1), 16, 3), ((8, 8, 3), 32, 3)],
)
def test_unet_shapes_and_range(input_shape, resolution, channels):
    g = unet.unet_generator(input_shape, resolution, channels, width=4)
    x = np.random.default_rng(0).uniform(-1, 1, (2, *input_shape)).astype("float32")
    y = g(x, training=True).numpy()
    assert y.shape == (2, resolution, resolution, channels) and np.abs(y).max() <= 1.0
    if input_shape[0] != resolution:
        assert g.get_layer("upsample").interpolation == "bicubic"


def test_unet_depth_follows_resolution_and_refuses_odd_sizes():
    assert unet.auto_depth(28) == 2 and unet.auto_depth(32) == 4 and unet.auto_depth(64) == 4
    with pytest.raises(ConfigError, match=r"model.resolution=30 with U-Net depth 1"):
        unet.check_depth(30, 0)
    with pytest.raises(ConfigError, match=r"resolution=28 with U-Net depth 3"):
        unet.check_depth(28, 3)


def test_patchgan_gives_one_logit_per_patch():
    d = patchgan.patchgan_discriminator(28, 3, width=4)
    assert d(np.zeros((2, 28, 28, 3), "float32")).shape == (2, 7, 7, 1)
    d64 = patchgan.patchgan_discriminator(64, 6, width=4)
    assert d64.output_shape == (None, 8, 8, 1)
    # instance norm: each example's logits are its own (real and fake may share a pass)
    x = np.random.default_rng(1).normal(size=(3, 28, 28, 3)).astype("float32")
    np.testing.assert_allclose(d(x[:1], training=True), d(x, training=True)[:1], atol=1e-5)


def test_srgan_shapes():
    g = srgan.srgan_generator((7, 7, 1), 1, scale=4, width=8, res_blocks=2)
    y = g(np.zeros((2, 7, 7, 1), "float32")).numpy()
    assert y.shape == (2, 28, 28, 1) and np.abs(y).max() <= 1.0
    assert [layer.name for layer in g.layers if isinstance(layer, srgan.PixelShuffle)] == [
        "subpixel0",
        "subpixel1",
    ]
    assert srgan.srgan_discriminator(28, 1, width=4).output_shape == (None, 1)
    with pytest.raises(
        ConfigError, match=r"image_to_image.scale=3 for SRGAN. Expected a power of 2"
    ):
        srgan.check_scale(3)


def test_pixel_shuffle_matches_a_numpy_rearrangement():
    x = np.arange(2 * 3 * 3 * 8, dtype="float32").reshape(2, 3, 3, 8)
    r, c = 2, 2
    # out[b, h*r + i, w*r + j, k] = x[b, h, w, (i*r + j)*c + k]
    want = x.reshape(2, 3, 3, r, r, c).transpose(0, 1, 3, 2, 4, 5).reshape(2, 6, 6, c)
    np.testing.assert_array_equal(srgan.PixelShuffle(2)(x).numpy(), want)
    with pytest.raises(ValueError, match="block_size=1"):
        srgan.PixelShuffle(1)


@pytest.mark.parametrize(
    "build",
    [
        lambda: unet.unet_generator((7, 7, 1), 28, 1, width=4),
        lambda: patchgan.patchgan_discriminator(16, 2, width=4),
        lambda: srgan.srgan_generator((4, 4, 3), 3, scale=4, width=4, res_blocks=1),
        lambda: srgan.srgan_discriminator(16, 3, width=4),
    ],
)
def test_networks_round_trip_keras_files(build, tmp_path):
    model = build()
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    x = np.random.default_rng(2).uniform(-1, 1, (2, *model.input_shape[1:])).astype("float32")
    np.testing.assert_allclose(model(x), loaded(x), atol=1e-6)


def test_registered_families_build_without_a_task():
    from ganzoo.config import base_config
    from ganzoo.models import build_models

    c = base_config()
    c.model.update(arch="pix2pix", width=4)
    g, d = build_models(c.model, (28, 28, 1))
    assert g.output_shape == (None, 28, 28, 1) and d.input_shape == (None, 28, 28, 2)
    c.model.update(arch="srgan")
    g, _ = build_models(c.model, (28, 28, 1))
    assert g.input_shape == (None, 7, 7, 1)
    with pytest.raises(ConfigError, match="Expected inputs of side resolution / scale"):
        image_to_image.srgan_models((8, 8, 1), 28, 1, 4)
