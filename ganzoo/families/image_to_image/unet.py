"""pix2pix's U-Net generator (Isola et al. 2017): encoder-decoder with skip connections.

Maps a conditioning image [B, h, w, C_in] to an image [B, R, R, C_out] in [-1, 1]. When the
input is smaller than the output (super-resolution), a bicubic `Resizing` layer first brings
it to R x R, so the U-Net itself always maps R x R to R x R.
"""

from __future__ import annotations

import keras
from keras import layers

from ganzoo.errors import ConfigError


def _init() -> keras.initializers.Initializer:
    """A fresh N(0, 0.02) initialiser per layer (pix2pix's initialisation).

    One shared unseeded instance would give every layer of the same shape the same weights,
    from a seed fixed at import; a fresh one draws from `keras.utils.set_random_seed`'s seed."""
    return keras.initializers.RandomNormal(stddev=0.02)


MAX_AUTO_DEPTH = 4


def auto_depth(resolution: int) -> int:
    """How many times `resolution` halves exactly, at most MAX_AUTO_DEPTH (28 -> 2, 32 -> 4)."""
    depth, size = 0, resolution
    while size % 2 == 0 and size > 2 and depth < MAX_AUTO_DEPTH:
        size //= 2
        depth += 1
    return depth


def check_depth(resolution: int, depth: int) -> int:
    """`depth` (0 = auto) checked against `resolution`; returns the depth to build."""
    depth = depth or auto_depth(resolution)
    if depth < 2 or resolution % (2**depth):
        raise ConfigError(
            f"Received: model.resolution={resolution} with U-Net depth {depth}. Expected a "
            "resolution divisible by 2**depth with depth >= 2 (a multiple of 4, such as 28, "
            "32 or 64)."
        )
    return depth


def unet_generator(
    input_shape: tuple[int, int, int],
    resolution: int,
    out_channels: int,
    width: int = 64,
    depth: int = 0,
    dropout: float = 0.5,
) -> keras.Model:
    """inputs [B, h, w, C_in] in [-1, 1] -> images [B, R, R, C_out] in [-1, 1] (tanh).

    Encoder: `depth` stride-2 4x4 convolutions (filters width * 2^i, capped at 8 width),
    LeakyReLU(0.2), batch norm on all but the first. Decoder: stride-2 4x4 transposed
    convolutions, batch norm, ReLU, dropout `dropout` on the innermost (up to 3) blocks as in
    the paper, each concatenated with the encoder map of its size (the skips); a last
    transposed convolution to C_out and tanh.
    """
    depth = check_depth(resolution, depth)
    inputs = keras.Input(tuple(input_shape), name="inputs")
    x = inputs
    if tuple(input_shape[:2]) != (resolution, resolution):
        x = layers.Resizing(resolution, resolution, interpolation="bicubic", name="upsample")(x)
    skips = []
    for i in range(depth):
        filters = min(width * 2**i, width * 8)
        x = layers.Conv2D(
            filters,
            4,
            strides=2,
            padding="same",
            use_bias=i == 0,
            kernel_initializer=_init(),
            name=f"down{i}",
        )(x)
        if i:
            x = layers.BatchNormalization(name=f"down{i}_bn")(x)
        x = layers.LeakyReLU(0.2)(x)
        skips.append(x)
    for i in reversed(range(depth - 1)):
        filters = min(width * 2**i, width * 8)
        x = layers.Conv2DTranspose(
            filters,
            4,
            strides=2,
            padding="same",
            use_bias=False,
            kernel_initializer=_init(),
            name=f"up{i}",
        )(x)
        x = layers.BatchNormalization(name=f"up{i}_bn")(x)
        if dropout and depth - 2 - i < 3:  # the innermost three decoder blocks, as published
            x = layers.Dropout(dropout, name=f"up{i}_dropout")(x)
        x = layers.ReLU()(x)
        x = layers.Concatenate(name=f"skip{i}")([x, skips[i]])
    x = layers.Conv2DTranspose(
        out_channels, 4, strides=2, padding="same", kernel_initializer=_init(), name="out"
    )(x)
    images = layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(inputs, images, name="unet_generator")
