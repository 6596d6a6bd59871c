"""A StyleGAN2-like generator (Karras et al. 2020) with the ResNet discriminator of resnet.py."""

from __future__ import annotations

import keras
from keras import layers

from ganzoo.errors import ConfigError
from ganzoo.models import resnet
from ganzoo.models.registry import register_model
from ganzoo.models.style_layers import (
    ConstantInput,
    EqualizedDense,
    ModulatedConv2D,
    PixelNorm,
    StyledConv,
)

MAPPING_LR_MULTIPLIER = 0.01  # StyleGAN's: the mapping network learns 100x slower.


def g_channels(resolution: int, width: int) -> list[int]:
    """Channels at G's start side and after each doubling: 2*width, width at 64x64."""
    return [2 * width] + resnet.g_channels(resolution, width)


def generator(
    latent_dim: int,
    resolution: int = 32,
    channels: int = 3,
    width: int = 128,
    mapping_layers: int = 8,
) -> keras.Model:
    """z [B, latent_dim] -> images [B, R, R, C] in [-1, 1].

    Mapping: w = MLP(PixelNorm(z)), `mapping_layers` equalized dense layers of latent_dim units
    (lrelu, lr multiplier 0.01). Synthesis: a learned 4x4 constant (7x7 for 28x28), one styled
    3x3 conv there and two per doubling after bilinear upsampling, each a modulated, demodulated
    convolution with per-channel noise; a 1x1 modulated ToRGB at every side, the RGB outputs
    upsampled and summed (the skip generator). Every layer gets the same w (no style mixing).
    tanh keeps the sum in [-1, 1] as the zoo's image contract asks (StyleGAN2's own output
    is linear).
    """
    resnet.check_resolution(resolution)
    if mapping_layers < 0:
        raise ConfigError(f"Received: model.mapping_layers={mapping_layers}. Expected >= 0.")
    filters = g_channels(resolution, width)
    z = keras.Input((latent_dim,), name="z")
    w = PixelNorm(name="normalize_z")(z)
    for i in range(mapping_layers):
        w = EqualizedDense(
            latent_dim, lr_multiplier=MAPPING_LR_MULTIPLIER, activation="lrelu", name=f"mapping{i}"
        )(w)

    def to_rgb(x, name):
        return ModulatedConv2D(channels, 1, demodulate=False, use_bias=True, name=name)([x, w])

    start = resnet.START_SIDES[resolution]
    x = ConstantInput(filters[0], start, name="const")(w)
    x = StyledConv(filters[0], name=f"conv{start}")([x, w])
    rgb = to_rgb(x, f"to_rgb{start}")
    for f, side in zip(filters[1:], resnet.generator_resolutions(resolution), strict=True):
        x = layers.UpSampling2D(2, interpolation="bilinear", name=f"up{side}")(x)
        x = StyledConv(f, name=f"conv{side}a")([x, w])
        x = StyledConv(f, name=f"conv{side}b")([x, w])
        rgb = layers.UpSampling2D(2, interpolation="bilinear", name=f"rgb_up{side}")(rgb)
        rgb = layers.Add(name=f"rgb{side}")([rgb, to_rgb(x, f"to_rgb{side}")])
    images = layers.Activation("tanh", dtype="float32", name="images")(rgb)
    return keras.Model(z, images, name="stylegan2_generator")


def check(model_config) -> None:
    resnet.check_resolution(model_config.resolution)
    if model_config.channels < 1:
        raise ConfigError(f"Received: model.channels={model_config.channels}. Expected >= 1.")
    if model_config.get("mapping_layers", 8) < 0:
        raise ConfigError(
            f"Received: model.mapping_layers={model_config.mapping_layers}. Expected >= 0."
        )
    resnet.check_attention(model_config, generator=False)


def build(model_config, example_shape) -> tuple[keras.Model, keras.Model]:
    """G: `generator`; D: the resnet family's discriminator (model.spectral_norm, default off
    here as in StyleGAN2, which regularises D with R1 instead; attention at
    model.attention_resolutions)."""
    resnet.check_example_shape(model_config, example_shape, "stylegan2")
    g = generator(
        model_config.latent_dim,
        model_config.resolution,
        model_config.channels,
        model_config.width,
        mapping_layers=model_config.get("mapping_layers", 8),
    )
    d = resnet.discriminator(
        model_config.resolution,
        model_config.channels,
        model_config.width,
        spectral_norm=model_config.get("spectral_norm", False),
        attention_resolutions=model_config.get("attention_resolutions", ""),
        minibatch_std_group=model_config.get("minibatch_std_group", 0),
    )
    return g, d


register_model("stylegan2", check, build)
