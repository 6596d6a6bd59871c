"""Class-conditional generators and discriminators, built around a registered family's networks.

`model.conditioning` picks the scheme (compare_gan style: the family gives the architecture,
the scheme adds the labels):

- concat (Mirza & Osindero 2014): one_hot(y) appended to z in G and to D's input (as K
  constant channels for images); the family's networks built one input wider.
- acgan (Odena et al. 2017): G as in concat; D is the family's D plus a linear classifier head
  on its last features phi(x): outputs [logits, class_logits].
- projection (Miyato & Koyama 2018): D(x, y) = psi(phi(x)) + <embed(y), phi(x)>, phi(x) the
  features under D's final linear layer psi; G with conditional batch norm (SNGAN/BigGAN).
  Its generators are written here for the dcgan and mlp families.

Generators take [z, labels] (int32 [B]); concat/projection discriminators [x, labels].
"""

from __future__ import annotations

import keras
import ml_collections
from keras import layers

from ganzoo.errors import ConfigError
from ganzoo.models import dcgan
from ganzoo.models.conditional_layers import ConditionalBatchNorm, LabelConcat, OneHot
from ganzoo.models.layers import SpectralNorm
from ganzoo.models.registry import MODELS

CONDITIONING = ("none", "concat", "acgan", "projection")
# Families with a conditional-batch-norm generator for `projection`.
PROJECTION_ARCHS = ("dcgan", "mlp", "biggan")
# Families whose own build returns the conditional pair (G [z, labels], D [x, labels]).
NATIVE_PROJECTION_ARCHS = ("biggan",)


def family_build(model_config, example_shape, **changes):
    """The family's (G, D) for `model_config` with some keys changed (e.g. latent_dim)."""
    config = ml_collections.ConfigDict(model_config.to_dict())
    config.update(changes)
    return MODELS.get(config.arch).build(config, tuple(example_shape))


def discriminator_features(discriminator: keras.Model):
    """(D's input, its logits, phi(x)): the flat features entering D's final linear layer."""
    features = discriminator.layers[-1].input
    if len(features.shape) != 2:
        raise ConfigError(
            f"Received: a {discriminator.name} whose last layer takes features of shape "
            f"{tuple(features.shape)}. Conditioning heads expect flat features [batch, F] "
            "under a final linear layer (as in the dcgan and mlp discriminators)."
        )
    return discriminator.inputs[0], discriminator.output, features


def maybe_spectral_norm(layer, spectral_norm):
    return SpectralNorm(layer, name=f"{layer.name}_sn") if spectral_norm else layer


def _inputs(latent_dim):
    z = keras.Input((latent_dim,), name="z")
    labels = keras.Input((), dtype="int32", name="labels")
    return z, labels


def concat_generator(model_config, example_shape) -> keras.Model:
    """[z, labels] -> the family's generator applied to concat(z, one_hot(labels))."""
    k, latent = model_config.num_classes, model_config.latent_dim
    inner, _ = family_build(model_config, example_shape, latent_dim=latent + k)
    z, labels = _inputs(latent)
    out = inner(LabelConcat(k, name="z_and_label")([z, labels]))
    return keras.Model([z, labels], out, name=f"{model_config.arch}_concat_generator")


def concat_discriminator(model_config, example_shape) -> keras.Model:
    """[x, labels] -> the family's discriminator on x with one_hot(labels) appended."""
    k = model_config.num_classes
    wider = tuple(example_shape[:-1]) + (example_shape[-1] + k,)
    changes = {"channels": wider[-1]} if len(example_shape) == 3 else {}
    _, inner = family_build(model_config, wider, **changes)
    x = keras.Input(tuple(example_shape), name="x")
    labels = keras.Input((), dtype="int32", name="labels")
    logits = inner(LabelConcat(k, name="x_and_label")([x, labels]))
    return keras.Model([x, labels], logits, name=f"{model_config.arch}_concat_discriminator")


def acgan_discriminator(model_config, example_shape) -> keras.Model:
    """x -> [logits, class_logits [B, K]]: a linear classifier on the family D's features."""
    _, d = family_build(model_config, example_shape)
    x, logits, features = discriminator_features(d)
    head = layers.Dense(model_config.num_classes, dtype="float32", name="class_logits")
    class_logits = maybe_spectral_norm(head, model_config.spectral_norm)(features)
    return keras.Model(x, [logits, class_logits], name=f"{model_config.arch}_acgan_discriminator")


def projection_discriminator(model_config, example_shape) -> keras.Model:
    """[x, labels] -> psi(phi(x)) + <embed(labels), phi(x)> [B, 1] (Miyato & Koyama 2018).

    embed(y) = one_hot(y) V, V [K, F] a bias-free Dense layer, spectrally normalised with the
    rest of D when model.spectral_norm is on (as in the paper).
    """
    _, d = family_build(model_config, example_shape)
    x, logits, features = discriminator_features(d)
    labels = keras.Input((), dtype="int32", name="labels")
    dense = layers.Dense(features.shape[-1], use_bias=False, name="class_embedding")
    embedding = maybe_spectral_norm(dense, model_config.spectral_norm)(
        OneHot(model_config.num_classes, name="label_one_hot")(labels)
    )
    projection = layers.Dot(axes=1, name="projection")([embedding, features])
    out = layers.Add(dtype="float32", name="projection_logits")([logits, projection])
    return keras.Model([x, labels], out, name=f"{model_config.arch}_projection_discriminator")


def cbn_dcgan_generator(
    latent_dim: int, resolution: int, channels: int, width: int, num_classes: int
) -> keras.Model:
    """`dcgan.generator` with every batch norm made class-conditional: [z, labels] -> images."""
    z, labels = _inputs(latent_dim)

    def normalize(x, key):
        name = "cbn_dense" if key == "dense" else f"cbn{key}"
        return ConditionalBatchNorm(num_classes, name=name)([x, labels])

    images = dcgan.generator_body(z, resolution, channels, width, normalize)
    return keras.Model([z, labels], images, name="dcgan_cbn_generator")


def cbn_mlp_generator(
    latent_dim: int, data_dim: int, width: int, depth: int, num_classes: int
) -> keras.Model:
    """[z, labels] -> points: `depth` x (Dense, conditional batch norm, ReLU), linear output."""
    z, labels = _inputs(latent_dim)
    x = z
    for i in range(depth):
        x = layers.Dense(width, use_bias=False, name=f"hidden{i}")(x)
        x = ConditionalBatchNorm(num_classes, name=f"cbn{i}")([x, labels])
        x = layers.ReLU()(x)
    out = layers.Dense(data_dim, dtype="float32", name="points")(x)
    return keras.Model([z, labels], out, name="mlp_cbn_generator")


def projection_generator(model_config, example_shape) -> keras.Model:
    m = model_config
    if m.arch == "dcgan":
        return cbn_dcgan_generator(m.latent_dim, m.resolution, m.channels, m.width, m.num_classes)
    return cbn_mlp_generator(m.latent_dim, example_shape[-1], m.width, m.depth, m.num_classes)


def build_conditional_models(model_config, example_shape) -> tuple[keras.Model, keras.Model]:
    """(G, D) for model.conditioning in concat | acgan | projection."""
    MODELS.get(model_config.arch).check(model_config)
    kind = model_config.conditioning
    if kind == "projection" and model_config.arch in NATIVE_PROJECTION_ARCHS:
        return MODELS.get(model_config.arch).build(model_config, tuple(example_shape))
    if kind == "concat":
        d = concat_discriminator(model_config, example_shape)
        return concat_generator(model_config, example_shape), d
    if kind == "acgan":
        d = acgan_discriminator(model_config, example_shape)
        return concat_generator(model_config, example_shape), d
    if kind == "projection":
        d = projection_discriminator(model_config, example_shape)
        return projection_generator(model_config, example_shape), d
    raise ConfigError(f"Received: model.conditioning={kind!r}. Expected one of {CONDITIONING[1:]}.")


def parse_labels(text: str, num_classes: int, key: str = "sample.labels") -> list[int]:
    """'all' or '' -> [0 .. K-1]; '3,1,1' -> [3, 1, 1]. ConfigError when out of [0, K)."""
    text = str(text).strip()
    if text in ("", "all"):
        return list(range(num_classes))
    try:
        labels = [int(part) for part in text.split(",")]
    except ValueError:
        raise ConfigError(
            f"Received: {key}={text!r}. Expected 'all' or comma-separated class indices such "
            "as '0,1,2'."
        ) from None
    bad = [y for y in labels if not 0 <= y < num_classes]
    if bad:
        raise ConfigError(
            f"Received: {key}={text!r} (out of range: {bad}). Expected class indices in "
            f"[0, {num_classes}) (model.num_classes={num_classes})."
        )
    return labels


def check_config(config) -> None:
    """ConfigError for invalid conditioning or sample.labels keys; builds nothing."""
    m = config.model
    if m.conditioning not in CONDITIONING:
        raise ConfigError(
            f"Received: model.conditioning={m.conditioning!r}. Expected one of "
            f"{', '.join(CONDITIONING)}."
        )
    if m.acgan_weight < 0:
        raise ConfigError(f"Received: model.acgan_weight={m.acgan_weight}. Expected >= 0.")
    if m.num_classes < 2:
        raise ConfigError(
            f"Received: model.num_classes={m.num_classes} with model.conditioning="
            f"{m.conditioning!r}. Expected the number of classes (>= 2), e.g. 10 for MNIST."
        )
    if m.conditioning == "projection" and m.arch not in PROJECTION_ARCHS:
        raise ConfigError(
            f"Received: model.arch={m.arch!r} with model.conditioning='projection'. Its "
            f"conditional batch norm generator exists for {', '.join(PROJECTION_ARCHS)}."
        )
    if config.data.source == "synthetic":
        from ganzoo.data import mode_centers

        modes = len(mode_centers(config.data.name))
        if m.num_classes != modes:
            raise ConfigError(
                f"Received: model.num_classes={m.num_classes} for {config.data.name!r}, whose "
                f"labels are its {modes} mode indices. Expected model.num_classes={modes}."
            )
    parse_labels(config.sample.labels, m.num_classes)
