"""DCGAN generator and discriminator (Radford et al. 2016) for 28x28, 32x32, 64x64 and up."""

from __future__ import annotations

import keras
from keras import layers

from ganzoo.errors import ConfigError
from ganzoo.models.layers import MinibatchStdDev, SpectralNorm
from ganzoo.models.registry import register_model


def _init() -> keras.initializers.Initializer:
    """A fresh N(0, 0.02) initialiser per layer (the DCGAN paper's initialisation).

    One shared unseeded instance would give every layer of the same shape the same weights,
    from a seed fixed at import; a fresh one draws from `keras.utils.set_random_seed`'s seed."""
    return keras.initializers.RandomNormal(stddev=0.02)


def start_size(resolution: int) -> int:
    """The generator's first feature-map side: resolution = start * 2**k with start 4 or 7, k >= 2."""
    for start in (7, 4):
        size, ups = resolution, 0
        while size > start and size % 2 == 0:
            size //= 2
            ups += 1
        if size == start and ups >= 2:
            return start
    raise ConfigError(
        f"Received: model.resolution={resolution}. The DCGAN models support 4*2^k or 7*2^k "
        "with k >= 2, such as 28, 32, 64 or 128."
    )


def check(model_config) -> None:
    start_size(model_config.resolution)
    if model_config.channels not in (1, 3):
        raise ConfigError(f"Received: model.channels={model_config.channels}. Expected 1 or 3.")


def _num_upsamplings(resolution: int) -> int:
    start, n = start_size(resolution), 0
    while start * 2**n < resolution:
        n += 1
    return n


def generator(latent_dim: int, resolution: int, channels: int, width: int = 64) -> keras.Model:
    """z [B, latent_dim] -> images [B, R, R, C] in [-1, 1] (tanh).

    Project to start x start x width*2^(n-1), then n stride-2 transposed convolutions, halving the
    filters each time; batch norm and ReLU everywhere but the output (the paper's recipe).
    """
    z = keras.Input((latent_dim,), name="z")
    images = generator_body(
        z, resolution, channels, width, lambda x, _: layers.BatchNormalization()(x)
    )
    return keras.Model(z, images, name="dcgan_generator")


def generator_body(z, resolution: int, channels: int, width: int, normalize):
    """The DCGAN generator's layers on a latent tensor `z`; `normalize(x, key)` is the norm after
    the projection (key "dense") and after each hidden transposed convolution (key 0, 1, ...),
    so the class-conditional generator shares this body with its own batch norm."""
    start, n = start_size(resolution), _num_upsamplings(resolution)
    filters = width * 2 ** (n - 1)
    x = layers.Dense(start * start * filters, use_bias=False, kernel_initializer=_init())(z)
    x = layers.ReLU()(normalize(x, "dense"))
    x = layers.Reshape((start, start, filters))(x)
    for i in range(n - 1):
        filters //= 2
        x = layers.Conv2DTranspose(
            filters,
            4,
            strides=2,
            padding="same",
            use_bias=False,
            kernel_initializer=_init(),
            name=f"up{i}",
        )(x)
        x = layers.ReLU()(normalize(x, i))
    x = layers.Conv2DTranspose(
        channels, 4, strides=2, padding="same", kernel_initializer=_init(), name=f"up{n - 1}"
    )(x)
    return layers.Activation("tanh", dtype="float32", name="images")(x)


def discriminator(
    resolution: int,
    channels: int,
    width: int = 64,
    spectral_norm: bool = False,
    minibatch_std_group: int = 0,
) -> keras.Model:
    """images [B, R, R, C] -> logits [B, 1].

    Stride-2 convolutions with LeakyReLU(0.2) down to the generator's start size, then a linear
    layer. No batch norm: real and fake batches can share one forward pass, and the gradient
    penalties of the zoo stay per-sample. `spectral_norm` wraps every convolution and the
    linear layer in `SpectralNorm`; `minibatch_std_group` > 0 appends a `MinibatchStdDev`
    feature map before the linear layer.
    """
    start, n = start_size(resolution), _num_upsamplings(resolution)
    images = keras.Input((resolution, resolution, channels), name="images")

    def maybe_sn(layer):
        return SpectralNorm(layer, name=f"{layer.name}_sn") if spectral_norm else layer

    x, filters = images, width
    for i in range(n):
        conv = layers.Conv2D(
            filters, 4, strides=2, padding="same", kernel_initializer=_init(), name=f"down{i}"
        )
        x = maybe_sn(conv)(x)
        x = layers.LeakyReLU(0.2)(x)
        filters = min(filters * 2, width * 8)
    if minibatch_std_group:
        x = MinibatchStdDev(minibatch_std_group, name="minibatch_std")(x)
    x = layers.Flatten()(x)
    dense = layers.Dense(1, kernel_initializer=_init(), dtype="float32", name="logits")
    logits = maybe_sn(dense)(x)
    del start
    return keras.Model(images, logits, name="dcgan_discriminator")


def build(model_config, example_shape) -> tuple[keras.Model, keras.Model]:
    expected = (model_config.resolution, model_config.resolution, model_config.channels)
    if tuple(example_shape) != expected:
        raise ConfigError(
            f"Received: data of shape {tuple(example_shape)}. DCGAN expects {expected}."
        )
    g = generator(
        model_config.latent_dim, model_config.resolution, model_config.channels, model_config.width
    )
    d = discriminator(
        model_config.resolution,
        model_config.channels,
        model_config.width,
        spectral_norm=model_config.get("spectral_norm", False),
        minibatch_std_group=model_config.get("minibatch_std_group", 0),
    )
    return g, d


register_model("dcgan", check, build)
