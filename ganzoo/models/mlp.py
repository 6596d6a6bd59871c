"""MLP generator and discriminator for low-dimensional data (the 2-D ring8/grid25 benchmarks)."""

from __future__ import annotations

import keras
from keras import layers

from ganzoo.errors import ConfigError
from ganzoo.models.layers import SpectralNorm
from ganzoo.models.registry import register_model


def check(model_config) -> None:
    if model_config.depth < 1:
        raise ConfigError(
            f"Received: model.depth={model_config.depth}. Expected at least 1 hidden layer."
        )


def generator(latent_dim: int, data_dim: int = 2, width: int = 128, depth: int = 3) -> keras.Model:
    """z [B, latent_dim] -> points [B, data_dim]: `depth` ReLU layers of `width`, linear output."""
    z = keras.Input((latent_dim,), name="z")
    x = z
    for i in range(depth):
        x = layers.Dense(width, activation="relu", name=f"hidden{i}")(x)
    out = layers.Dense(data_dim, dtype="float32", name="points")(x)
    return keras.Model(z, out, name="mlp_generator")


def discriminator(
    data_dim: int = 2, width: int = 128, depth: int = 3, spectral_norm: bool = False
) -> keras.Model:
    """points [B, data_dim] -> logits [B, 1]: `depth` LeakyReLU(0.2) layers of `width`.

    `spectral_norm` wraps every Dense layer in `SpectralNorm`.
    """

    def maybe_sn(layer):
        return SpectralNorm(layer, name=f"{layer.name}_sn") if spectral_norm else layer

    points = keras.Input((data_dim,), name="points")
    x = points
    for i in range(depth):
        x = maybe_sn(layers.Dense(width, name=f"hidden{i}"))(x)
        x = layers.LeakyReLU(0.2)(x)
    logits = maybe_sn(layers.Dense(1, dtype="float32", name="logits"))(x)
    return keras.Model(points, logits, name="mlp_discriminator")


def build(model_config, example_shape) -> tuple[keras.Model, keras.Model]:
    if len(example_shape) != 1:
        raise ConfigError(
            f"Received: data of shape {tuple(example_shape)}. The MLP models expect vectors, "
            "such as the 2-D points of ring8/grid25; use model.arch=dcgan for images."
        )
    (dim,) = example_shape
    g = generator(model_config.latent_dim, dim, model_config.width, model_config.depth)
    d = discriminator(
        dim,
        model_config.width,
        model_config.depth,
        spectral_norm=model_config.get("spectral_norm", False),
    )
    return g, d


register_model("mlp", check, build)
