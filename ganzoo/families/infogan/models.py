"""InfoGAN networks (Chen et al. 2016) around a registered family's generator and discriminator.

G: z ~ N(0, I) [B, noise + sum(K_i) + M] -> `InfoGANCodes` (noise | one-hot categorical codes
| continuous codes in (-1, 1)) -> the family's generator. D: the family's discriminator with a
Q head on its last features phi(x) (Q shares D's body, as in the paper): Dense(128), LeakyReLU,
then one logits layer per categorical code and one layer of means for the continuous codes.
D's outputs: [logits, q_cat_0, ..., q_cont].
"""

from __future__ import annotations

import keras
from keras import layers

from ganzoo.errors import ConfigError
from ganzoo.families.conditional.models import (
    discriminator_features,
    family_build,
    maybe_spectral_norm,
)
from ganzoo.models.conditional_layers import InfoGANCodes

Q_HIDDEN = 128


def parse_categorical(text, key: str = "model.info_categorical") -> tuple[int, ...]:
    """'10' or '10,4' -> (10,) or (10, 4): the number of categories of each categorical code."""
    text = str(text).strip()
    if not text:
        return ()
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or any(k < 2 for k in sizes):
        raise ConfigError(
            f"Received: {key}={text!r}. Expected comma-separated category counts >= 2, such as "
            "'10' (one 10-way code) or '' for none."
        )
    return sizes


def is_infogan(model_config) -> bool:
    return (
        bool(parse_categorical(model_config.info_categorical)) or model_config.info_continuous > 0
    )


def check_config(config) -> None:
    m = config.model
    parse_categorical(m.info_categorical)
    if m.info_continuous < 0 or m.info_weight < 0:
        raise ConfigError(
            f"Received: model.info_continuous={m.info_continuous}, model.info_weight="
            f"{m.info_weight}. Expected both >= 0."
        )


def infogan_generator(model_config, example_shape) -> keras.Model:
    categorical = parse_categorical(model_config.info_categorical)
    codes = InfoGANCodes(
        model_config.latent_dim, categorical, model_config.info_continuous, name="codes"
    )
    inner, _ = family_build(model_config, example_shape, latent_dim=codes.latent_dim)
    z = keras.Input((codes.latent_dim,), name="z")
    return keras.Model(z, inner(codes(z)), name=f"{model_config.arch}_infogan_generator")


def infogan_discriminator(model_config, example_shape) -> keras.Model:
    categorical = parse_categorical(model_config.info_categorical)
    _, d = family_build(model_config, example_shape)
    x, logits, features = discriminator_features(d)
    sn = model_config.spectral_norm
    h = maybe_spectral_norm(layers.Dense(Q_HIDDEN, name="q_hidden"), sn)(features)
    h = layers.LeakyReLU(0.2, name="q_act")(h)
    heads = [
        maybe_spectral_norm(layers.Dense(k, dtype="float32", name=f"q_cat{i}"), sn)(h)
        for i, k in enumerate(categorical)
    ]
    if model_config.info_continuous:
        dense = layers.Dense(model_config.info_continuous, dtype="float32", name="q_cont")
        heads.append(maybe_spectral_norm(dense, sn)(h))
    return keras.Model(x, [logits, *heads], name=f"{model_config.arch}_infogan_discriminator")


def build_infogan_models(model_config, example_shape) -> tuple[keras.Model, keras.Model]:
    """(G, D) of an InfoGAN with model.info_categorical / model.info_continuous codes."""
    from ganzoo.models.registry import MODELS

    MODELS.get(model_config.arch).check(model_config)
    g = infogan_generator(model_config, example_shape)
    return g, infogan_discriminator(model_config, example_shape)
