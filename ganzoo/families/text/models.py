"""Character-level text GANs: the 1-D convolutional ResNet G and D of Gulrajani et al. (2017).

As in their language model (gan_language.py of the WGAN-GP code): G maps z through a linear
layer to [L, width], `depth` residual blocks (ReLU, conv 5, ReLU, conv 5, added back times 0.3)
and a 1x1 convolution to vocabulary logits, then a softmax per position (`text_resnet`: the
continuous relaxation of one-hot characters the critic sees), or a Gumbel-softmax sample
(`text_gumbel`: straight-through one-hot or relaxed, Jang et al. 2017). D maps one-hot or
softmax input [L, V] through a 1x1 convolution to width, the same residual blocks, flatten and a
linear layer to one logit. The paper: width 512, 5 blocks, L = 32.
"""

from __future__ import annotations

import keras
from keras import layers

from ganzoo.errors import ConfigError
from ganzoo.models.registry import register_model

TEXT_ARCHS = ("text_resnet", "text_gumbel")


@keras.saving.register_keras_serializable(package="ganzoo")
class ResBlock1D(layers.Layer):
    """x + scale * conv(relu(conv(relu(x)))), both convolutions `filters` wide, 'same' padding."""

    def __init__(self, filters: int, kernel_size: int = 5, scale: float = 0.3, **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size, self.scale = int(filters), int(kernel_size), float(scale)
        self.conv1 = layers.Conv1D(self.filters, self.kernel_size, padding="same", name="conv1")
        self.conv2 = layers.Conv1D(self.filters, self.kernel_size, padding="same", name="conv2")

    def build(self, input_shape):
        if input_shape[-1] != self.filters:
            raise ConfigError(
                f"Received: input channels {input_shape[-1]} for ResBlock1D(filters="
                f"{self.filters}). Expected the same number (the residual is added back)."
            )
        self.conv1.build(input_shape)
        self.conv2.build(input_shape)

    def call(self, x):
        h = self.conv1(keras.ops.relu(x))
        h = self.conv2(keras.ops.relu(h))
        return x + self.scale * h

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters, kernel_size=self.kernel_size, scale=self.scale)
        return config


@keras.saving.register_keras_serializable(package="ganzoo")
class GumbelSoftmax(layers.Layer):
    """Logits [..., V] -> a Gumbel-softmax sample (Jang et al. 2017; Maddison et al. 2017).

    Training: y = softmax((logits + g) / tau), g = -log(-log u), u ~ U(0, 1); with `hard`, the
    straight-through estimator one_hot(argmax y) + y - stop_gradient(y) (one-hot forward, the
    relaxed gradient backward). Inference: one_hot(argmax logits), deterministic in the input.
    tau is the non-trainable variable `temperature`, which a schedule may assign between steps.
    """

    def __init__(self, temperature: float = 1.0, hard: bool = True, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.initial_temperature = float(temperature)
        self.hard = bool(hard)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="gumbel_seed")
        if self.initial_temperature <= 0:
            raise ConfigError(f"Received: temperature={temperature}. Expected a value > 0.")

    def build(self, input_shape):
        self.temperature = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(self.initial_temperature),
            trainable=False,
            name="temperature",
        )

    def call(self, logits, training=False):
        depth = keras.ops.shape(logits)[-1]
        if not training:
            return keras.ops.one_hot(keras.ops.argmax(logits, axis=-1), depth, dtype=logits.dtype)
        u = keras.random.uniform(
            keras.ops.shape(logits), minval=1e-6, maxval=1.0 - 1e-6, seed=self.seed_generator
        )
        gumbel = -keras.ops.log(-keras.ops.log(u))
        y = keras.ops.softmax((logits + keras.ops.cast(gumbel, logits.dtype)) / self.temperature)
        if not self.hard:
            return y
        one_hot = keras.ops.one_hot(keras.ops.argmax(y, axis=-1), depth, dtype=y.dtype)
        return one_hot + y - keras.ops.stop_gradient(y)

    def get_config(self):
        config = super().get_config()
        config.update(temperature=self.initial_temperature, hard=self.hard, seed=self.seed)
        return config


def generator(
    latent_dim: int,
    seq_len: int,
    vocab_size: int,
    width: int = 512,
    depth: int = 5,
    output: str = "softmax",
    temperature: float = 1.0,
    hard: bool = True,
) -> keras.Model:
    """z [B, latent_dim] -> characters [B, seq_len, vocab_size]: per-position probabilities
    (`output="softmax"`) or Gumbel-softmax samples (`output="gumbel"`)."""
    if output not in ("softmax", "gumbel"):
        raise ConfigError(f"Received: output={output!r}. Expected 'softmax' or 'gumbel'.")
    z = keras.Input((latent_dim,), name="z")
    x = layers.Dense(seq_len * width, name="project")(z)
    x = layers.Reshape((seq_len, width), name="reshape")(x)
    for i in range(depth):
        x = ResBlock1D(width, name=f"block{i}")(x)
    logits = layers.Conv1D(vocab_size, 1, dtype="float32", name="logits")(x)
    if output == "softmax":
        out = layers.Softmax(axis=-1, dtype="float32", name="chars")(logits)
    else:
        out = GumbelSoftmax(temperature, hard, dtype="float32", name="chars")(logits)
    return keras.Model(z, out, name=f"text_{output}_generator")


def discriminator(seq_len: int, vocab_size: int, width: int = 512, depth: int = 5) -> keras.Model:
    """Characters [B, seq_len, vocab_size] (one-hot or probabilities) -> logits [B, 1]."""
    x_in = keras.Input((seq_len, vocab_size), name="chars")
    x = layers.Conv1D(width, 1, name="embed")(x_in)
    for i in range(depth):
        x = ResBlock1D(width, name=f"block{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    logits = layers.Dense(1, dtype="float32", name="logits")(x)
    return keras.Model(x_in, logits, name="text_discriminator")


def check(model_config) -> None:
    if model_config.depth < 1:
        raise ConfigError(
            f"Received: model.depth={model_config.depth}. Expected at least 1 residual block."
        )
    if model_config.spectral_norm or model_config.minibatch_std_group:
        raise ConfigError(
            f"Received: model.spectral_norm={model_config.spectral_norm}, "
            f"model.minibatch_std_group={model_config.minibatch_std_group} with "
            f"model.arch={model_config.arch!r}. Expected neither (the text models have no such "
            "layers)."
        )


def _shape(example_shape) -> tuple[int, int]:
    if len(example_shape) != 2:
        raise ConfigError(
            f"Received: example shape {tuple(example_shape)}. Expected (seq_len, vocab_size): "
            "the text models need data.source=text."
        )
    return tuple(example_shape)


def build_text_models(model_config, example_shape, gumbel_temperature=1.0, gumbel_hard=True):
    """(G, D) of `model.arch` (text_resnet or text_gumbel) for one-hot data [L, V]."""
    seq_len, vocab = _shape(example_shape)
    width, depth = model_config.width, model_config.depth
    output = "gumbel" if model_config.arch == "text_gumbel" else "softmax"
    g = generator(
        model_config.latent_dim, seq_len, vocab, width, depth, output, gumbel_temperature,
        gumbel_hard,
    )  # fmt: skip
    return g, discriminator(seq_len, vocab, width, depth)


def _build(model_config, example_shape):
    return build_text_models(model_config, example_shape)


register_model("text_resnet", check, _build)
register_model("text_gumbel", check, _build)
