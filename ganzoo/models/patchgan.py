"""pix2pix's PatchGAN discriminator (Isola et al. 2017): one real/fake logit per image patch."""

from __future__ import annotations

import keras
from keras import layers

from ganzoo.errors import ConfigError


def _init() -> keras.initializers.Initializer:
    """A fresh N(0, 0.02) initialiser per layer.

    One shared unseeded instance would give every layer of the same shape the same weights,
    from a seed fixed at import; a fresh one draws from `keras.utils.set_random_seed`'s seed."""
    return keras.initializers.RandomNormal(stddev=0.02)


def auto_layers(resolution: int) -> int:
    """Stride-2 layers for `resolution`: 2 below 64 (28 -> 7x7 patches), 3 from 64 (the
    published 70x70 PatchGAN at 256)."""
    return 2 if resolution < 64 else 3


def patchgan_discriminator(
    resolution: int, channels: int, width: int = 64, num_layers: int = 0
) -> keras.Model:
    """pairs [B, R, R, channels] (condition and image concatenated on channels) -> patch
    logits [B, R / 2^n, R / 2^n, 1].

    C(width, s2) - C(2 width, s2) ... (`num_layers` stride-2 4x4 convolutions, filters capped
    at 8 width) - C(s1) - conv to 1 logit per patch; LeakyReLU(0.2), instance normalisation on
    all but the first. pix2pix used batch norm at batch size 1, which is instance norm; at
    larger batches instance norm keeps D per-example, so real and fake can share one pass.
    """
    num_layers = num_layers or auto_layers(resolution)
    if num_layers < 1 or resolution % (2**num_layers):
        raise ConfigError(
            f"Received: PatchGAN with {num_layers} stride-2 layers at resolution {resolution}. "
            "Expected at least 1 layer and a resolution divisible by 2**layers."
        )
    pairs = keras.Input((resolution, resolution, channels), name="pairs")
    x = pairs
    for i in range(num_layers + 1):
        filters = min(width * 2**i, width * 8)
        stride = 2 if i < num_layers else 1
        x = layers.Conv2D(
            filters,
            4,
            strides=stride,
            padding="same",
            use_bias=i == 0,
            kernel_initializer=_init(),
            name=f"conv{i}",
        )(x)
        if i:
            # groups=-1: one group per channel, i.e. instance normalisation.
            x = layers.GroupNormalization(groups=-1, epsilon=1e-5, name=f"conv{i}_in")(x)
        x = layers.LeakyReLU(0.2)(x)
    logits = layers.Conv2D(
        1, 4, padding="same", kernel_initializer=_init(), dtype="float32", name="patch_logits"
    )(x)
    return keras.Model(pairs, logits, name="patchgan_discriminator")
